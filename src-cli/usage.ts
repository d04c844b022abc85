/** Command-line argument errors: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

export function parseNumber(flag: string, text: string, rule: { integer?: boolean; min?: number } = {}): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || (rule.integer && !Number.isInteger(value)) || (rule.min !== undefined && value < rule.min)) {
    const kind = rule.integer ? 'an integer' : 'a number';
    const bound = rule.min !== undefined ? ` >= ${rule.min}` : '';
    throw new UsageError(`${flag} must be ${kind}${bound}, got '${text}'`);
  }
  return value;
}
