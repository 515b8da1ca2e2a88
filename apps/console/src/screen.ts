/** The screen being shown: its refresh timer is stopped when another one replaces it. */
let timer: number | undefined;
/** Counts the screens asked for: one still loading for an earlier one must not take the page. */
let navigation = 0;

/** Another screen was asked for (the address changed, a sign-in or a sign-out). */
export function navigated(): void {
  navigation += 1;
  stopRefreshing();
}

/** The screen asked for now; compare it after a wait to know whether the user is still there. */
export const currentNavigation = (): number => navigation;

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

/**
 * Whether the user changed a field inside `container` since the last `reset()`: a refresh then
 * leaves the container as it is, even if the field lost the focus or the change came while
 * the refresh was reading (a receipt half filled, a pick half typed).
 */
export function editsIn(container: HTMLElement): { edited: () => boolean; reset: () => void } {
  let edited = false;
  const mark = () => void (edited = true);
  container.addEventListener('input', mark);
  container.addEventListener('change', mark);
  return { edited: () => edited, reset: () => void (edited = false) };
}

/** Replaces `container`'s content, keeping the keyboard focus on the link to the same place if it had it. */
export function replaceKeepingFocus(container: HTMLElement, ...content: Node[]): void {
  const focused = document.activeElement;
  const href = focused instanceof HTMLAnchorElement && container.contains(focused) ? focused.getAttribute('href') : null;
  container.replaceChildren(...content);
  if (href) [...container.querySelectorAll('a')].find((link) => link.getAttribute('href') === href)?.focus();
}
