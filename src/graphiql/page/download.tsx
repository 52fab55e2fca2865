import { ToolbarButton, ToolbarMenu, useGraphiQL } from "@graphiql/react";
import { useState } from "react";
import { useCurrentRequest } from "./current-request.ts";

const FORMATS = [
  { extension: "csv", label: "CSV (spreadsheet)" },
  { extension: "ndjson", label: "NDJSON (one JSON record a line)" },
];

function fileName(response: Response, fallback: string): string {
  const disposition = response.headers.get("content-disposition") ?? "";
  return /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1] ?? fallback;
}

function DownloadIcon() {
  return (
    <svg height="1em" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
      <path strokeLinecap="round" strokeLinejoin="round" d="M12 3v12m0 0-5-5m5 5 5-5M4 17v3h16v-3" />
    </svg>
  );
}

/**
 * "Download this query": the whole list the current query answers, as a file. The server refuses
 * (400, in GraphQL's error shape) a query whose answer is not one list; the refusal is shown in
 * the response pane, where GraphiQL shows every other answer.
 */
export function DownloadMenu({ downloadPath }: { downloadPath: string }) {
  const current = useCurrentRequest();
  const responseEditor = useGraphiQL((state) => state.responseEditor);
  const [busy, setBusy] = useState(false);
  const show = (answer: unknown) => responseEditor?.setValue(JSON.stringify(answer, null, 2));

  async function download(extension: string) {
    if (!current.request) return show({ errors: [{ message: current.error }] });
    setBusy(true);
    try {
      const response = await fetch(`${downloadPath}.${extension}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(current.request),
      });
      if (!response.ok) {
        const text = await response.text();
        try {
          show(JSON.parse(text));
        } catch {
          show({ errors: [{ message: `The server answered ${response.status}: ${text.slice(0, 500)}` }] });
        }
        return;
      }
      const link = document.createElement("a");
      link.href = URL.createObjectURL(await response.blob());
      link.download = fileName(response, `${current.request.operationName ?? "query"}.${extension}`);
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    } catch (error) {
      show({ errors: [{ message: `The download failed: ${(error as Error).message}` }] });
    } finally {
      setBusy(false);
    }
  }

  return (
    <ToolbarMenu
      button={
        <ToolbarButton label={busy ? "Downloading…" : "Download this query's whole list as a file"} className="kz-download" disabled={busy}>
          <DownloadIcon />
        </ToolbarButton>
      }
    >
      {FORMATS.map(({ extension, label }) => (
        <ToolbarMenu.Item key={extension} onSelect={() => download(extension)}>
          {label}
        </ToolbarMenu.Item>
      ))}
    </ToolbarMenu>
  );
}
