const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the string holds a UTF-16 surrogate without its pair (not encodable as UTF-8). */
export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value);
}

/**
 * Paths (`a.b.0`) of every string in a parsed request value — body, query or path parameter — that
 * holds an unpaired surrogate, object keys included. Such text cannot be encoded as UTF-8, so it
 * must never reach validators, DynamoDB or logs.
 */
export function loneSurrogatePaths(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return hasLoneSurrogate(value) ? [path] : [];
  if (typeof value !== 'object' || value === null) return [];
  const out: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (hasLoneSurrogate(key)) out.push(childPath);
    else out.push(...loneSurrogatePaths(child, childPath));
  }
  return out;
}
