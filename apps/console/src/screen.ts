/** The screen being shown: its refresh timer is stopped when another one replaces it. */
let timer: number | undefined;

export function showScreen(main: HTMLElement, ...content: Node[]): void {
  stopRefreshing();
  main.replaceChildren(...content);
  // Keyboard and screen-reader users start reading at the new screen, not at the old link.
  main.focus({ preventScroll: true });
}

/** Calls `refresh` every `ms` until the screen changes. */
export function refreshEvery(ms: number, refresh: () => void): void {
  stopRefreshing();
  timer = window.setInterval(refresh, ms);
}

function stopRefreshing(): void {
  if (timer !== undefined) window.clearInterval(timer);
  timer = undefined;
}
