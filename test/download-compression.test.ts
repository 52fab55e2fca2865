import { request } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, expect, test } from "vitest";
import { preferredEncoding } from "../src/http/compression.ts";
import { startTestServer, type TestServer } from "./server-helpers.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

/** The bytes as sent (node:http does not decode them, unlike fetch). */
function raw(
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      {
        method: body === undefined ? "GET" : "POST",
        headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, bytes: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const decode = (encoding: unknown, bytes: Buffer) =>
  encoding === "br" ? brotliDecompressSync(bytes) : encoding === "gzip" ? gunzipSync(bytes) : bytes;

test("Accept-Encoding picks brotli or gzip by the client's preference", () => {
  expect(preferredEncoding("gzip, deflate, br")).toBe("br");
  expect(preferredEncoding("gzip;q=1, br;q=0.5")).toBe("gzip");
  expect(preferredEncoding("br;q=0, gzip")).toBe("gzip");
  expect(preferredEncoding("*")).toBe("br");
  expect(preferredEncoding("identity")).toBeNull();
  expect(preferredEncoding(undefined)).toBeNull();
});

test("the page, JSON answers, exports and downloads are compressed for a client that accepts it, and the same once decoded", async () => {
  const list = JSON.stringify({ query: "{ fundings(first: 100) { edges { node { description citations { quote source { url } } } } } }" });
  const page = (await raw("/graphql", { accept: "text/html" })).bytes.toString();
  const script = /src="(\/graphiql\/main-[\w-]+\.js)"/.exec(page)![1];
  const cases: Array<[string, Record<string, string>, string | undefined]> = [
    ["/graphql", { accept: "text/html" }, undefined],
    [script, {}, undefined],
    ["/graphql", {}, list],
    ["/export/fundings.csv", {}, undefined],
    ["/download.ndjson", {}, list],
    ["/schema.graphql", {}, undefined],
  ];
  for (const [path, headers, body] of cases) {
    const plain = await raw(path, headers, body);
    expect(plain.status, path).toBe(200);
    expect(plain.headers["content-encoding"], path).toBeUndefined();
    expect(plain.headers.vary, path).toMatch(/Accept-Encoding/i);
    for (const encoding of ["br", "gzip"]) {
      const packed = await raw(path, { ...headers, "accept-encoding": encoding }, body);
      expect(packed.headers["content-encoding"], path).toBe(encoding);
      // The GraphiQL page is 1.5 KB of HTML: brotli makes it 0.53 of that, the others less.
      expect(packed.bytes.length, path).toBeLessThan(plain.bytes.length * 0.6);
      const text = decode(encoding, packed.bytes).toString();
      // The JSON answer's cost extension reports the budget left, which differs between two requests.
      if (path === "/graphql" && body) expect(JSON.parse(text).data).toEqual(JSON.parse(plain.bytes.toString()).data);
      else expect(text, path).toBe(plain.bytes.toString());
    }
  }
});

test("a zip and 304s are sent as they are", async () => {
  const zip = await raw("/export/dataset.zip", { "accept-encoding": "br, gzip" });
  expect(zip.status).toBe(200);
  expect(zip.headers["content-encoding"]).toBeUndefined();
  const schema = await raw("/schema.graphql");
  const again = await raw("/schema.graphql", { "accept-encoding": "gzip", "if-none-match": String(schema.headers.etag) });
  expect(again.status).toBe(304);
  expect(again.bytes.length).toBe(0);
});
