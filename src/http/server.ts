import { createServer, type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from "node:http";
import type { AddressInfo } from "node:net";
import { sendNodeResponse } from "@whatwg-node/server";
import type { StoredAnswers, StoredReply } from "../cache/stored-answers.ts";
import { log, withRequestId } from "../log.ts";
import { compressed, isCompressible, preferredEncoding } from "./compression.ts";
import { anonymousClient, type RequestContext, requestIdFrom, type ServerContext } from "./context.ts";
import { ApiError, errorBody, failure } from "./errors.ts";
import { httpRequests, operationDuration, operationLabel } from "./metrics.ts";

export interface HttpOptions {
  port: number;
  host: string;
  /** Largest request body accepted; larger ones get 413 without being read. */
  maxBodyBytes: number;
  /** Paths whose handler reads the body itself, as a stream, under a limit of its own (the HTTP import). */
  streamedPaths?: string[];
  /** Time a client has to send its whole request (headers and body); slower ones get 408. */
  requestTimeoutMs: number;
  /** Take the client's IP from the last X-Forwarded-For entry (set by your own proxy). */
  trustProxy: boolean;
  /** Time in-flight requests get to finish on shutdown before their connections are cut. */
  drainTimeoutMs: number;
}

export interface HttpServer {
  server: Server;
  url: string;
  /** Stops accepting connections, lets in-flight requests finish, then closes every connection. */
  stop(): Promise<void>;
}

/** Yoga's server adapter (only the entry point this server calls), and the answers it stored for repeated requests. */
interface Handler {
  handleNodeRequestAndResponse(req: IncomingMessage, res: ServerResponse, context: ServerContext): Response | Promise<Response>;
  storedAnswers?: StoredAnswers;
}

type NodeContext = Partial<RequestContext> & ServerContext & { req: IncomingMessage; res: ServerResponse };

/**
 * Yoga, with the answer to an error thrown by one of its plugins' hooks (a database or Redis
 * that fails under a key check, a rate limit, a route) made by the API, not by Yoga's adapter,
 * which would send the error's stack as text.
 */
async function respond(handler: Handler, context: NodeContext) {
  let response: Response;
  try {
    response = await handler.handleNodeRequestAndResponse(context.req, context.res, context);
  } catch (error) {
    response = failure(error).toResponse();
  }
  if (context.requestKey)
    handler.storedAnswers
      ?.remember(context.requestKey, context, response)
      .catch((error: Error) => log.warn("could not store the answer of a request", { error: error.message }));
  await send(response, context);
}

async function send(response: Response, { req, res }: NodeContext) {
  try {
    await sendNodeResponse(compressed(response, req.headers["accept-encoding"]), res, req, true);
  } catch (error) {
    log.warn("response cut short", { error: (error as Error).message });
    res.destroy();
  }
}

/** A stored answer, written straight to the socket unless the client takes it compressed. */
async function sendStored({ status, headers, body }: StoredReply, context: NodeContext) {
  const { req, res } = context;
  const length = body ? body[0].length + Buffer.byteLength(body[1]) : 0;
  if (body && isCompressible(headers["content-type"] ?? "", length)) {
    if (preferredEncoding(req.headers["accept-encoding"]))
      return send(new Response(Buffer.concat([body[0], Buffer.from(body[1])]), { status, headers }), context);
    headers.vary = headers.vary ? `${headers.vary}, Accept-Encoding` : "Accept-Encoding";
  }
  res.writeHead(status, body ? { ...headers, "content-length": String(length) } : headers);
  if (!body) return void res.end();
  res.cork();
  res.write(body[0]);
  res.end(body[1]);
  res.uncork();
}

/** Answers a repeated request from stored bytes when it can (see src/cache/stored-answers.ts); false: Yoga answers it. */
async function answeredFromStore(answers: StoredAnswers, key: string, context: NodeContext): Promise<boolean> {
  let reply: StoredReply | undefined;
  try {
    reply = await answers.reply(key, context.req, context);
  } catch (error) {
    log.warn("could not answer from the stored answers", { error: (error as Error).message });
  }
  if (!reply) return false;
  await sendStored(reply, context);
  return true;
}

function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = trustProxy
    ? String(req.headers["x-forwarded-for"] ?? "")
        .split(",")
        .pop()
        ?.trim()
    : undefined;
  return forwarded || req.socket.remoteAddress || "unknown";
}

function refuse(res: ServerResponse, error: ApiError) {
  const { http: _, ...extensions } = error.extensions;
  res.writeHead(error.status, { "content-type": "application/json; charset=utf-8", connection: "close" });
  res.end(errorBody(error.message, extensions));
}

/** Reads the body into memory up to `limit` bytes; resolves null as soon as it is over. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  if (Number(req.headers["content-length"]) > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.pause();
        resolve(null);
      } else chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

function routeLabel(path: string): string {
  const route = path.split("/")[1] ?? "";
  return ["graphql", "healthz", "readyz", "metrics", "export"].includes(route) ? route : "other";
}

/**
 * The HTTP layer in front of Yoga: a request id and a log line for every request, the body size
 * limit (bodies are read into memory, except on `streamedPaths`), timeouts for slow clients, and
 * graceful shutdown.
 */
export async function startHttpServer(handler: Handler, options: HttpOptions): Promise<HttpServer> {
  let stopping = false;
  const server = createServer(
    {
      requestTimeout: options.requestTimeoutMs,
      headersTimeout: Math.min(options.requestTimeoutMs, 10_000),
      connectionsCheckingInterval: Math.min(1000, options.requestTimeoutMs / 2),
      keepAliveTimeout: 5000,
    },
    (req, res) => {
      // Filled into the request's whole context by Yoga's first plugin (see requestPlugin).
      const context: NodeContext = {
        req,
        res,
        requestId: requestIdFrom(req.headers["x-request-id"] as string | undefined),
        clientAddress: clientIp(req, options.trustProxy),
      };
      const started = performance.now();
      const path = (req.url ?? "/").split("?")[0];
      if (stopping) res.shouldKeepAlive = false;
      res.setHeader("x-request-id", context.requestId!);
      res.once("finish", () => {
        const seconds = (performance.now() - started) / 1000;
        const route = routeLabel(path);
        httpRequests.inc({ route, status: res.statusCode });
        if (route === "graphql") operationDuration.observe({ operation: operationLabel(context.operationName) }, seconds);
        const line = {
          requestId: context.requestId,
          method: req.method,
          path: path.slice(0, 200),
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
          client: context.client ?? anonymousClient(context.clientAddress!),
          operationName: context.operationName,
          cost: context.cost,
        };
        // A 503 is an outage, logged once as it begins (see outage.ts), not a fault of each request.
        if (res.statusCode >= 500 && res.statusCode !== 503) log.error("request", line);
        else log.info("request", line);
      });
      withRequestId(context.requestId!, async () => {
        const { storedAnswers } = handler;
        if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS" || options.streamedPaths?.includes(path)) {
          context.requestKey = storedAnswers?.requestKey(req, undefined);
        } else {
          const body = await readBody(req, options.maxBodyBytes).catch(() => null);
          if (body === null) {
            if (!res.headersSent && !req.destroyed) {
              const message = `The request body is larger than ${options.maxBodyBytes} bytes, the limit. Send a shorter query, and large lists of values page by page`;
              refuse(res, new ApiError(message, "BODY_TOO_LARGE", { status: 413 }));
            }
            return;
          }
          // Yoga's Node adapter uses a body already read by the server in place of the stream.
          (req as IncomingMessage & { body?: Buffer }).body = body;
          context.requestKey = storedAnswers?.requestKey(req, body);
        }
        if (context.requestKey && (await answeredFromStore(storedAnswers!, context.requestKey, context))) return;
        return respond(handler, context);
      });
    },
  );
  // Requests Node refuses before any handler runs: answered with a message, like every other refusal.
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (error.code === "ECONNRESET" || !socket.writable) return socket.destroy();
    const [status, code, message] =
      error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "REQUEST_TIMEOUT", `The request took longer than ${options.requestTimeoutMs} ms to arrive; send it whole and at once`]
        : error.code === "HPE_HEADER_OVERFLOW"
          ? [431, "HEADERS_TOO_LARGE", "The request's URL and headers are larger than 16 KB; send a long query with POST"]
          : [400, "BAD_REQUEST", "The request is not valid HTTP"];
    log.warn("refused before routing", { status, error: error.code });
    httpRequests.inc({ route: "other", status });
    const body = errorBody(message, { code });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`,
    async stop() {
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Connections become idle as their in-flight requests finish; close each as it does.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, options.drainTimeoutMs).unref());
      server.closeIdleConnections();
      await Promise.race([closed, deadline]);
      clearInterval(sweep);
      server.closeAllConnections();
      await closed;
    },
  };
}
