// The extract of a matching field that a search hit shows, with the match marked.
const SNIPPET_BEFORE = 60;
const SNIPPET_AFTER = 100;

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A short extract of `text` around the match, HTML-escaped, with the match inside <mark></mark>. */
export function snippet(text: string, match: string): string {
  const found = new RegExp(escapeRegExp(match), "iu").exec(text);
  if (!found) return escapeHtml(text.length > SNIPPET_BEFORE + SNIPPET_AFTER ? `${text.slice(0, SNIPPET_BEFORE + SNIPPET_AFTER)}…` : text);
  const start = found.index;
  const end = start + found[0].length;
  let from = Math.max(0, start - SNIPPET_BEFORE);
  let to = Math.min(text.length, end + SNIPPET_AFTER);
  // Cut at spaces so the extract starts and ends on whole words.
  if (from > 0) from = text.indexOf(" ", from) + 1 || from;
  if (from > start) from = start;
  if (to < text.length) to = Math.max(end, text.lastIndexOf(" ", to));
  return `${from > 0 ? "…" : ""}${escapeHtml(text.slice(from, start))}<mark>${escapeHtml(found[0])}</mark>${escapeHtml(text.slice(end, to))}${to < text.length ? "…" : ""}`;
}
