/** Text for markdown (tooltips, hovers) that came from a kubeconfig or a cluster: never read as markup. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/**
 * A value as inline code. A backtick in it would end the code span and let the rest be read as markdown (links,
 * images), so such a value is shown escaped instead; line breaks become spaces.
 */
export function inlineCode(text: string): string {
  const line = text.replace(/[\r\n]+/g, ' ');
  return line.includes('`') ? escapeMarkdown(line) : `\`${line}\``;
}
