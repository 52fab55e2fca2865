// The requests the benchmark sends, shared by the runner and the hand-written baseline server.

/** Page size at every level of the nested list. */
export const PAGE = 20;

/** Research institutes -> methods they developed -> partnerships applying each method. */
export const NESTED_QUERY = `query Nested($n: Int!) {
  organizations(first: $n, filter: { kinds: [RESEARCH_INSTITUTE] }, orderBy: { field: CREATED_AT }) {
    edges { node { slug name methods(first: $n) {
      edges { node { slug title partnerships(first: $n) {
        edges { node { slug title status } }
      } } }
    } } }
  }
}`;

/** The same list in PostGraphile 4's schema (junction tables walked explicitly, primary-key order). */
export const POSTGRAPHILE_NESTED_QUERY = `query Nested($n: Int!) {
  allOrganizations(first: $n, condition: { kind: RESEARCH_INSTITUTE }, orderBy: PRIMARY_KEY_ASC) {
    nodes { slug nameEn nameRu nameKk _methodDevelopersByB(first: $n, orderBy: PRIMARY_KEY_ASC) {
      nodes { methodByA { slug title _partnershipMethodsByA(first: $n, orderBy: PRIMARY_KEY_ASC) {
        nodes { partnershipByB { slug title status } }
      } } }
    } }
  }
}`;

/** The hand-written SQL of the baseline: one statement, a LIMIT per parent through LATERAL joins. */
export const NESTED_SQL = `SELECT o.slug AS o_slug, coalesce(o."nameEn", o."nameRu", o."nameKk") AS o_name,
    m.id AS m_id, m.slug AS m_slug, m.title AS m_title, p.slug AS p_slug, p.title AS p_title, p.status::text AS p_status
  FROM (SELECT id, slug, "nameEn", "nameRu", "nameKk" FROM "Organization"
        WHERE kind = 'RESEARCH_INSTITUTE' ORDER BY id LIMIT $1) o
  LEFT JOIN LATERAL (SELECT m.id, m.slug, m.title FROM (SELECT "A" FROM "_MethodDevelopers" WHERE "B" = o.id ORDER BY "A" LIMIT $1) d
        JOIN "Method" m ON m.id = d."A") m ON true
  LEFT JOIN LATERAL (SELECT p.id, p.slug, p.title, p.status FROM (SELECT "B" FROM "_PartnershipMethods" WHERE "A" = m.id ORDER BY "B" LIMIT $1) pm
        JOIN "Partnership" p ON p.id = pm."B") p ON true
  ORDER BY o.id, m.id, p.id`;

export const NODE_QUERY = `query Node($id: ID!) {
  node(id: $id) { ... on Partnership { slug title kind status start { text } participants { role organization { slug name } } } }
}`;

export const FILTERED_QUERY = `query Filtered($n: Int!) {
  partnerships(first: $n, filter: { kinds: [HACKATHON, PILOT_DEPLOYMENT], statuses: [ACTIVE] }) {
    edges { node { slug title kind status start { text } } }
  }
}`;

export const FUNDINGS_BY_FUNDER_QUERY = `query FundingsByFunder($funder: ID!, $n: Int!) {
  fundings(first: $n, filter: { funder: $funder }) {
    totalCount
    edges { node { slug description amount { amount currency } amountKind date { text } } }
  }
}`;

export const PAGE_QUERY = `query Page($after: String) {
  partnerships(first: 20, after: $after) { edges { node { slug title status } } pageInfo { endCursor hasNextPage } }
}`;

/** A search of every record type, as typed in a search box. */
export const SEARCH_QUERY = `query Search($q: String!, $n: Int!) {
  search(query: $q, first: $n) {
    totalCount
    edges { score matchedField node { __typename ... on Organization { slug name } ... on Method { slug title } ... on Partnership { slug title } } }
  }
}`;

/** Every funding, summed per kind of amount and currency (undisclosed amounts counted apart). */
export const FUNDING_SUMMARY_QUERY = `query FundingSummary {
  fundingSummary(groupBy: [AMOUNT_KIND, CURRENCY]) {
    count undisclosedCount sums { amount currency }
    buckets { amountKind currency count undisclosedCount sums { amount currency } }
  }
}`;

// PostGraphile 4's equivalents of the other queries, with its connection-filter and pg-aggregates plugins
// (bench/postgraphile/server.ts). The benchmark checks that each holds the same data as the API's answer.
// Search has no equivalent: PostGraphile has no search across record types without a hand-written SQL function.

export const POSTGRAPHILE_NODE_QUERY = `query Node($id: Int!) {
  partnershipById(id: $id) { slug title kind status startOn startPrecision
    participantsByPartnershipId(orderBy: PRIMARY_KEY_ASC) { nodes { role organizationByOrganizationId { slug nameEn nameRu nameKk } } } }
}`;

export const POSTGRAPHILE_FILTERED_QUERY = `query Filtered($n: Int!) {
  allPartnerships(first: $n, orderBy: PRIMARY_KEY_ASC, filter: { kind: { in: [HACKATHON, PILOT_DEPLOYMENT] }, status: { equalTo: ACTIVE } }) {
    nodes { slug title kind status startOn startPrecision }
  }
}`;

export const POSTGRAPHILE_FUNDINGS_BY_FUNDER_QUERY = `query FundingsByFunder($funder: Int!, $n: Int!) {
  allFundings(first: $n, condition: { funderId: $funder }, orderBy: PRIMARY_KEY_ASC) {
    totalCount
    nodes { slug description amount currency amountKind dateOn datePrecision }
  }
}`;

/** pg-aggregates cannot group by a key that is null, so undisclosed amounts (no currency) are counted apart. */
export const POSTGRAPHILE_FUNDING_SUMMARY_QUERY = `query FundingSummary {
  all: allFundings { totalCount }
  disclosed: allFundings(filter: { amount: { isNull: false } }) {
    groupedAggregates(groupBy: [AMOUNT_KIND, CURRENCY]) { keys distinctCount { id } sum { amount } }
  }
  undisclosed: allFundings(filter: { amount: { isNull: true } }) { groupedAggregates(groupBy: [AMOUNT_KIND]) { keys distinctCount { id } } }
}`;
