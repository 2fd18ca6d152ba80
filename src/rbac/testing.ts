// Test helper: roles and bindings from YAML text, through the same parser the checks use.
import { parseYamlStream } from '../load/yaml.ts';
import type { Binding, Role } from './model.ts';
import { parseBinding, parseRole } from './parse.ts';

export function rbacFromYaml(text: string): { roles: Role<string>[]; bindings: Binding<string>[] } {
  const parsed = parseYamlStream(text, 'rbac.yaml');
  if (parsed.errors.length > 0) throw new Error(parsed.errors.map(String).join('; '));
  const roles: Role<string>[] = [];
  const bindings: Binding<string>[] = [];
  for (const document of parsed.documents) {
    const { value } = document;
    const role = parseRole<string>(value);
    if (role !== undefined) roles.push({ ...role, source: role.name });
    const binding = parseBinding<string>(value);
    if (binding !== undefined) bindings.push({ ...binding, source: binding.name });
  }
  return { roles, bindings };
}
