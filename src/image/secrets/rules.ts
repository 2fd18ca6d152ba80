/**
 * What a secret looks like. Each rule is data: an id, a title, the pattern, and the keywords of which
 * at least one must occur for the pattern to be tried (a cheap filter run once per file).
 */
export interface SecretRule {
  id: string;
  title: string;
  /** Global; the secret itself is the whole match or, when present, capture group 1. */
  pattern: RegExp;
  keywords: readonly string[];
}

export const SECRET_RULES: readonly SecretRule[] = [
  {
    id: 'private-key',
    title: 'Private key',
    // The armour line alone is in documentation everywhere; a key has base64 after it.
    pattern: /-----BEGIN[A-Z ]{0,25} PRIVATE KEY(?: BLOCK)?-----(?:\\n|\s){1,4}(?:[A-Za-z-]+:[^\n]*(?:\\n|\s){1,4})*[A-Za-z0-9+/=]{40,}/g,
    keywords: ['PRIVATE KEY'],
  },
  {
    id: 'aws-access-key-id',
    title: 'AWS access key ID',
    pattern: /\b((?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z2-7]{16})\b/g,
    keywords: ['AKIA', 'ASIA', 'AGPA', 'AIDA', 'AROA', 'ANPA', 'ANVA', 'AIPA'],
  },
  {
    id: 'aws-secret-access-key',
    title: 'AWS secret access key',
    pattern: /(?:aws|AWS)[A-Za-z0-9_ .-]{0,20}(?:secret|SECRET|Secret)[A-Za-z0-9_ .-]{0,20}['"]?\s*[:=]\s*['"]?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/g,
    keywords: ['aws', 'AWS'],
  },
  { id: 'github-token', title: 'GitHub token', pattern: /\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})\b/g, keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'] },
  { id: 'gitlab-token', title: 'GitLab personal access token', pattern: /\b(glpat-[A-Za-z0-9_-]{20})\b/g, keywords: ['glpat-'] },
  { id: 'slack-token', title: 'Slack token', pattern: /\b(xox[baprs]-[A-Za-z0-9-]{10,72})\b/g, keywords: ['xoxb-', 'xoxa-', 'xoxp-', 'xoxr-', 'xoxs-'] },
  {
    id: 'slack-webhook',
    title: 'Slack incoming webhook',
    pattern: /(https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]{6,12}\/B[A-Z0-9]{6,12}\/[A-Za-z0-9]{20,32})/g,
    keywords: ['hooks.slack.com'],
  },
  { id: 'google-api-key', title: 'Google API key', pattern: /\b(AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])/g, keywords: ['AIza'] },
  { id: 'stripe-secret-key', title: 'Stripe secret key', pattern: /\b((?:sk|rk)_live_[0-9a-zA-Z]{24,99})\b/g, keywords: ['sk_live_', 'rk_live_'] },
  { id: 'npm-token', title: 'npm access token', pattern: /\b(npm_[A-Za-z0-9]{36})\b/g, keywords: ['npm_'] },
  {
    id: 'npmrc-auth-token',
    title: 'npm registry token in .npmrc',
    pattern: /:_authToken\s*=\s*([^\s$'"{][^\s'"]{15,})/g,
    keywords: ['_authToken'],
  },
  {
    id: 'docker-config-auth',
    title: 'Registry credentials in a Docker config',
    pattern: /"auth"\s*:\s*"([A-Za-z0-9+/]{16,}={0,2})"/g,
    keywords: ['"auth"'],
  },
];

/** Every keyword of every rule, for the one-pass filter. */
export const ALL_KEYWORDS: readonly string[] = [...new Set(SECRET_RULES.flatMap((rule) => rule.keywords))];
