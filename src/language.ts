import type { LanguageCode } from "./schema/common/language.ts";

const codes: Record<string, LanguageCode> = { en: "EN", ru: "RU", kk: "KK" };

/**
 * Languages of this API that an Accept-Language header asks for, most wanted first
 * ("ru-RU,ru;q=0.9,en;q=0.8" gives RU, EN). Unknown languages and q=0 are left out.
 */
export function acceptedLanguages(header: string | null | undefined): LanguageCode[] {
  if (!header) return [];
  const ranked = header.split(",").flatMap((part, index) => {
    const [tag, ...params] = part.trim().split(";");
    const code = codes[tag.trim().toLowerCase().split("-")[0]];
    const q = Number(
      params
        .find((p) => p.trim().startsWith("q="))
        ?.trim()
        .slice(2) ?? 1,
    );
    return code && q > 0 && Number.isFinite(q) ? [{ code, q, index }] : [];
  });
  ranked.sort((a, b) => b.q - a.q || a.index - b.index);
  return [...new Set(ranked.map((r) => r.code))];
}
