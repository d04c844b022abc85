/** Command-line argument errors: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

/** `above`: an exclusive lower bound (a learning rate of 0 trains nothing, so it is a usage error). */
export function parseNumber(flag: string, text: string, rule: { integer?: boolean; min?: number; above?: number } = {}): number {
  const value = Number(text);
  const tooSmall = (rule.min !== undefined && value < rule.min) || (rule.above !== undefined && value <= rule.above);
  if (text.trim() === '' || !Number.isFinite(value) || (rule.integer && !Number.isInteger(value)) || tooSmall) {
    const kind = rule.integer ? 'an integer' : 'a number';
    const bound = rule.min !== undefined ? ` >= ${rule.min}` : rule.above !== undefined ? ` > ${rule.above}` : '';
    throw new UsageError(`${flag} must be ${kind}${bound}, got '${text}'`);
  }
  return value;
}
