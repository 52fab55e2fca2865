// Texts in several languages: the language enum, localized names and titles, and which language a request asks for.
import { builder, type Context, type Types } from "../../builder.ts";
import { readsColumns } from "../../compiled/declarations.ts";

export const Language = builder.enumType("Language", {
  description: "Language of a name or title",
  values: {
    EN: { description: "English" },
    RU: { description: "Russian" },
    KK: { description: "Kazakh" },
  },
});
export type LanguageCode = "EN" | "RU" | "KK";

export interface Named {
  nameEn: string | null;
  nameRu: string | null;
  nameKk: string | null;
}

const nameColumns = { EN: "nameEn", RU: "nameRu", KK: "nameKk" } as const;

export interface LocalizedTextValue {
  lang: LanguageCode;
  text: string;
}

/** Every name a record has, English first, then Russian, then Kazakh. */
export function allNames(record: Named): LocalizedTextValue[] {
  return (Object.keys(nameColumns) as LanguageCode[]).flatMap((lang) => {
    const text = record[nameColumns[lang]];
    return text ? [{ lang, text }] : [];
  });
}

/**
 * The text in the first wanted language that exists, or else the first available one
 * (English, Russian, Kazakh). `wanted` comes from the `lang` argument or Accept-Language.
 */
export function pickText(texts: LocalizedTextValue[], wanted: LanguageCode[]): LocalizedTextValue {
  for (const lang of wanted) {
    const text = texts.find((n) => n.lang === lang);
    if (text) return text;
  }
  return texts[0];
}

/** Languages a text field should answer in: its `lang` argument, else the request's Accept-Language. */
export function wantedLanguages(lang: LanguageCode | null | undefined, context: Context): LanguageCode[] {
  return lang ? [lang] : context.languages;
}

export const LocalizedText = builder.objectRef<LocalizedTextValue>("LocalizedText").implement({
  description: "Text in one language",
  fields: (t) => ({
    lang: t.field({ type: Language, description: "Language of the text", ...readsColumns(), resolve: (n) => n.lang }),
    text: t.string({ description: "The text itself", ...readsColumns(), resolve: (n) => n.text }),
  }),
});

const langArgDescription =
  "Preferred language; when omitted, the request's Accept-Language header, else English. Another language is used when that one is unknown";

/**
 * A text field `<noun>(lang:)` and its `localized<Noun>(lang:)` twin, which also says the
 * language the text is in; both pick from `texts` by the `lang` argument or Accept-Language.
 */
function localizedFields<T, N extends string>(
  t: PothosSchemaTypes.RootFieldBuilder<Types, T>,
  noun: N,
  what: string,
  description: string,
  texts: (record: T) => LocalizedTextValue[],
  columns: string[],
) {
  const pick = (record: T, { lang }: { lang?: LanguageCode | null }, context: Context) =>
    pickText(texts(record), wantedLanguages(lang, context));
  const localized = `localized${noun[0].toUpperCase()}${noun.slice(1)}`;
  const args = { lang: t.arg({ type: Language, description: langArgDescription }) };
  return {
    [noun]: t.string({
      description,
      args,
      ...readsColumns(...columns),
      resolve: (record: T, args: { lang?: LanguageCode | null }, context: Context) => pick(record, args, context).text,
    }),
    [localized]: t.field({
      type: LocalizedText,
      description: `${noun[0].toUpperCase()}${noun.slice(1)} of the ${what} with the language it is actually in, so a fallback to another language is visible`,
      args,
      ...readsColumns(...columns),
      resolve: pick,
    }),
  } as Record<N | `localized${Capitalize<N>}`, ReturnType<typeof t.string>>;
}

/** Adds `name(lang:)`, `localizedName(lang:)` and `names` fields to a type backed by nameEn/nameRu/nameKk columns. */
export function nameFields<T extends Named>(t: PothosSchemaTypes.RootFieldBuilder<Types, T>, what: string) {
  return {
    ...localizedFields(
      t,
      "name",
      what,
      `Name of the ${what} in the asked language, or in another language when that one is unknown (see \`localizedName\` and \`names\`)`,
      allNames,
      Object.values(nameColumns),
    ),
    names: t.field({
      type: [LocalizedText],
      description: `Every known name of the ${what}, one per language`,
      ...readsColumns(...Object.values(nameColumns)),
      resolve: (record: T) => allNames(record),
    }),
  };
}

/**
 * Adds `title(lang:)` and `localizedTitle(lang:)` to a type whose `title` column is in English,
 * the only language sources give titles in so far; both show the fallback when another is asked.
 */
export function titleFields<T extends { title: string }>(
  t: PothosSchemaTypes.RootFieldBuilder<Types, T>,
  what: string,
  description: string,
) {
  return localizedFields(
    t,
    "title",
    what,
    `${description}; in the asked language when known, else in English (see \`localizedTitle\`)`,
    (record) => [{ lang: "EN", text: record.title }],
    ["title"],
  );
}
