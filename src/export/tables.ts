// What each export contains: the GraphQL selection of one node and its flat columns, in a fixed
// order. Exports run these selections through the same root fields as the API, so a row and the
// API's answer are the same facts.

/** A value as the API serializes it; DateTime fields come as Date (written in ISO 8601). */
export type Cell = string | number | boolean | Date | null | string[];
type Node = any;

export interface Table {
  /** Root connection field of the API. */
  field: string;
  selection: string;
  columns: [name: string, value: (node: Node) => Cell][];
}

const citationSelection = "citations { quote confidence source { url } }";
const citationColumns: Table["columns"] = [
  ["citation_source_urls", (n) => n.citations.map((c: Node) => c.source.url)],
  ["citation_quotes", (n) => n.citations.map((c: Node) => c.quote ?? "")],
  ["citation_confidences", (n) => n.citations.map((c: Node) => c.confidence)],
];
const timestamps: Table["columns"] = [
  ["created_at", (n) => n.createdAt],
  ["updated_at", (n) => n.updatedAt],
];
const nameOf = (lang: string) => (n: Node) => n.names.find((x: Node) => x.lang === lang)?.text ?? null;
const names: Table["columns"] = [
  ["name_en", nameOf("EN")],
  ["name_ru", nameOf("RU")],
  ["name_kk", nameOf("KK")],
];
const slugOf = (key: string) => (n: Node) => n[key]?.slug ?? null;
const dateText = (key: string) => (n: Node) => n[key]?.text ?? null;
const slugs = (key: string) => (n: Node) => n[key].edges.map((e: Node) => e.node.slug);

const organizations: Omit<Table, "field"> = {
  selection: `id slug kind names { lang text } alternateNames description country city foundedYear website parent { slug }
    identifiers { scheme schemeName value } createdAt updatedAt ${citationSelection}`,
  columns: [
    ["id", (n) => n.id],
    ["slug", (n) => n.slug],
    ["kind", (n) => n.kind],
    ...names,
    ["alternate_names", (n) => n.alternateNames],
    ["description", (n) => n.description],
    ["country", (n) => n.country],
    ["city", (n) => n.city],
    ["founded_year", (n) => n.foundedYear],
    ["website", (n) => n.website],
    ["parent_slug", slugOf("parent")],
    ["identifiers", (n) => n.identifiers.map((i: Node) => `${i.schemeName ?? i.scheme}:${i.value}`)],
    ...timestamps,
    ...citationColumns,
  ],
};

export const tables: Record<string, Table> = {
  organizations: { field: "organizations", ...organizations },
  institutes: { field: "institutes", ...organizations },
  enterprises: { field: "enterprises", ...organizations },
  people: {
    field: "people",
    selection: `id slug names { lang text } roles { title organization { slug } } createdAt updatedAt ${citationSelection}`,
    columns: [
      ["id", (n) => n.id],
      ["slug", (n) => n.slug],
      ...names,
      ["role_titles", (n) => n.roles.map((r: Node) => r.title)],
      ["role_organization_slugs", (n) => n.roles.map((r: Node) => r.organization.slug)],
      ...timestamps,
      ...citationColumns,
    ],
  },
  methods: {
    field: "methods",
    selection: `id slug title summary category technologyReadinessLevel stage developers(first: 100) { edges { node { slug } } }
      createdAt updatedAt ${citationSelection}`,
    columns: [
      ["id", (n) => n.id],
      ["slug", (n) => n.slug],
      ["title", (n) => n.title],
      ["summary", (n) => n.summary],
      ["category", (n) => n.category],
      ["technology_readiness_level", (n) => n.technologyReadinessLevel],
      ["stage", (n) => n.stage],
      ["developer_slugs", slugs("developers")],
      ...timestamps,
      ...citationColumns,
    ],
  },
  partnerships: {
    field: "partnerships",
    selection: `id slug title summary kind status city start { text } end { text } participants { role organization { slug } }
      methods(first: 100) { edges { node { slug } } } createdAt updatedAt ${citationSelection}`,
    columns: [
      ["id", (n) => n.id],
      ["slug", (n) => n.slug],
      ["title", (n) => n.title],
      ["summary", (n) => n.summary],
      ["kind", (n) => n.kind],
      ["status", (n) => n.status],
      ["city", (n) => n.city],
      ["start", dateText("start")],
      ["end", dateText("end")],
      ["participant_slugs", (n) => n.participants.map((p: Node) => p.organization.slug)],
      ["participant_roles", (n) => n.participants.map((p: Node) => p.role)],
      ["method_slugs", slugs("methods")],
      ...timestamps,
      ...citationColumns,
    ],
  },
  programmes: {
    field: "programmes",
    selection: `id slug name description kind operator { slug } maxAward { amount currency } createdAt updatedAt ${citationSelection}`,
    columns: [
      ["id", (n) => n.id],
      ["slug", (n) => n.slug],
      ["name", (n) => n.name],
      ["description", (n) => n.description],
      ["kind", (n) => n.kind],
      ["operator_slug", slugOf("operator")],
      ["max_award_amount", (n) => n.maxAward?.amount ?? null],
      ["max_award_currency", (n) => n.maxAward?.currency ?? null],
      ...timestamps,
      ...citationColumns,
    ],
  },
  fundings: {
    field: "fundings",
    selection: `id slug description funder { slug } recipient { slug } programme { slug } partnership { slug } method { slug }
      amount { amount currency } amountDisclosed amountBound amountKind date { text } fiscalYearStart fiscalYearEnd
      createdAt updatedAt ${citationSelection}`,
    columns: [
      ["id", (n) => n.id],
      ["slug", (n) => n.slug],
      ["description", (n) => n.description],
      ["funder_slug", slugOf("funder")],
      ["recipient_slug", slugOf("recipient")],
      ["programme_slug", slugOf("programme")],
      ["partnership_slug", slugOf("partnership")],
      ["method_slug", slugOf("method")],
      ["amount", (n) => n.amount?.amount ?? null],
      ["currency", (n) => n.amount?.currency ?? null],
      ["amount_disclosed", (n) => n.amountDisclosed],
      ["amount_bound", (n) => n.amountBound],
      ["amount_kind", (n) => n.amountKind],
      ["date", dateText("date")],
      ["fiscal_year_start", (n) => n.fiscalYearStart],
      ["fiscal_year_end", (n) => n.fiscalYearEnd],
      ...timestamps,
      ...citationColumns,
    ],
  },
  impacts: {
    field: "impacts",
    selection: `id slug metric description value valueBound unit baselineValue baselineNote periodStart { text } periodEnd { text }
      status partnership { slug } method { slug } organization { slug } claimant { slug } claimantPerson { slug }
      createdAt updatedAt ${citationSelection}`,
    columns: [
      ["id", (n) => n.id],
      ["slug", (n) => n.slug],
      ["metric", (n) => n.metric],
      ["description", (n) => n.description],
      ["value", (n) => n.value],
      ["value_bound", (n) => n.valueBound],
      ["unit", (n) => n.unit],
      ["baseline_value", (n) => n.baselineValue],
      ["baseline_note", (n) => n.baselineNote],
      ["period_start", dateText("periodStart")],
      ["period_end", dateText("periodEnd")],
      ["status", (n) => n.status],
      ["partnership_slug", slugOf("partnership")],
      ["method_slug", slugOf("method")],
      ["organization_slug", slugOf("organization")],
      ["claimant_slug", slugOf("claimant")],
      ["claimant_person_slug", slugOf("claimantPerson")],
      ...timestamps,
      ...citationColumns,
    ],
  },
  sources: {
    field: "sources",
    selection: "id url title publisher language published { text } retrievedOn note createdAt updatedAt",
    columns: [
      ["id", (n) => n.id],
      ["url", (n) => n.url],
      ["title", (n) => n.title],
      ["publisher", (n) => n.publisher],
      ["language", (n) => n.language],
      ["published", dateText("published")],
      ["retrieved_on", (n) => n.retrievedOn],
      ["note", (n) => n.note],
      ...timestamps,
    ],
  },
};

/** Entities of the full dataset dump: every record once (institutes and enterprises are organizations). */
export const dumpTables = ["organizations", "people", "methods", "partnerships", "programmes", "fundings", "impacts", "sources"];
