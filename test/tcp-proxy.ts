import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy on 127.0.0.1 in front of a database, that a test can cut (as a server that went
 * down), hang (as one that stopped answering) and restore.
 */
export interface TcpProxy {
  port: number;
  /** `url` (a postgresql:// URL) with its host and port replaced by the proxy's. */
  through(url: string): string;
  /** Refuses new connections and resets the open ones. */
  cut(): Promise<void>;
  /** Resets the open connections, then takes new ones and their data but answers nothing. */
  hang(): void;
  /** Forwards again; connections of a cut or a hang are gone. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let hung = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("error", () => {}).once("close", () => sockets.delete(socket));
  };
  const onConnection = (client: Socket) => {
    track(client);
    if (hung) return;
    const upstream = connect(targetPort, targetHost);
    track(upstream);
    client.on("data", (chunk) => hung || upstream.write(chunk));
    upstream.on("data", (chunk) => hung || client.write(chunk));
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  };
  let server: Server = createServer(onConnection);
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject).listen(port, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
    });
  const port = await listen(0);
  const dropAll = () => {
    for (const socket of sockets) socket.resetAndDestroy();
  };
  const proxy: TcpProxy = {
    port,
    through(url) {
      const u = new URL(url);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    async cut() {
      if (!server.listening) return;
      const closed = new Promise((resolve) => server.close(resolve));
      dropAll();
      await closed;
    },
    hang() {
      hung = true;
      dropAll();
    },
    async restore() {
      hung = false;
      dropAll();
      if (server.listening) return;
      server = createServer(onConnection);
      await listen(port);
    },
    close: () => proxy.cut(),
  };
  return proxy;
}
