/** What the console server tells the page of where it runs (server.ts, GET /config.json). */
export interface PageConfig {
  /** The trace UI's page of one trace, with `{traceId}` to replace. */
  traceUrl?: string;
}

let loaded: Promise<PageConfig> | undefined;

/** Read once per page load; without it the page still works, only without trace links. */
export function pageConfig(): Promise<PageConfig> {
  loaded ??= fetch('/config.json')
    .then((response) => (response.ok ? (response.json() as Promise<PageConfig>) : {}))
    .catch(() => ({}));
  return loaded;
}

/** The trace UI's address of a trace, or undefined when the server names no trace UI. */
export function traceLink(config: PageConfig, traceId: string): string | undefined {
  return config.traceUrl?.replaceAll('{traceId}', encodeURIComponent(traceId));
}
