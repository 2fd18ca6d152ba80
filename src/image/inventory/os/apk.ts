export interface ApkPackage {
  name: string;
  version: string;
  architecture: string;
  origin: string;
  license?: string;
}

/** `lib/apk/db/installed`: one `X:value` line per field, records separated by blank lines. */
export function parseApkInstalled(text: string, maxRecords = 500_000): ApkPackage[] {
  const out: ApkPackage[] = [];
  let record: Partial<ApkPackage> = {};
  const flush = (): void => {
    if (record.name !== undefined && record.name !== '' && record.version !== undefined && record.version !== '' && out.length < maxRecords) {
      out.push({ name: record.name, version: record.version, architecture: record.architecture ?? '', origin: record.origin ?? record.name, ...(record.license === undefined ? {} : { license: record.license }) });
    }
    record = {};
  };
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === '') {
      flush();
      continue;
    }
    if (line.length < 2 || line[1] !== ':') continue;
    const value = line.slice(2);
    switch (line[0]) {
      case 'P':
        record.name = value;
        break;
      case 'V':
        record.version = value;
        break;
      case 'A':
        record.architecture = value;
        break;
      case 'o':
        record.origin = value;
        break;
      case 'L':
        record.license = value;
        break;
    }
  }
  flush();
  return out;
}
