/**
 * Production guard: contexts whose name matches a pattern are read-only (nothing is changed through them) or
 * ask for confirmation before every change. Patterns are globs on the context name: `*` any run of characters,
 * `?` one character; matching ignores case. Read-only wins over confirm.
 */
export type ContextPolicy = 'normal' | 'confirm' | 'readOnly';

export interface ContextPolicySettings {
  readOnly: readonly string[];
  confirm: readonly string[];
}

export function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

export function contextPolicy(context: string, settings: ContextPolicySettings): ContextPolicy {
  const matches = (patterns: readonly string[]): boolean =>
    patterns.some((p) => p.trim().length > 0 && globToRegExp(p.trim()).test(context));
  if (matches(settings.readOnly)) return 'readOnly';
  if (matches(settings.confirm)) return 'confirm';
  return 'normal';
}
