/** What the server tells the page (src/graphiql/routes.ts writes it into the HTML). */
export interface PageConfig {
  title: string;
  endpoint: string;
  defaultQuery: string;
  /** JSON of the headers every request from the page sends (the CSRF header mutations need). */
  headers: string;
  /** Path of the download endpoints without the format: `${downloadPath}.csv`. */
  downloadPath: string;
}

export const CONFIG_ELEMENT_ID = "graphiql-config";
