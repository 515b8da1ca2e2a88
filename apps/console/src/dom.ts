type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | boolean | number | EventListener | undefined>;

/** An element with its attributes (`on…` ones as listeners) and children; false and null children are skipped. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'object' ? child : String(child));
  }
  return element;
}

/** A labelled input: the label names it for screen readers and for the browser tests. */
export function field(label: string, input: HTMLInputElement | HTMLSelectElement): HTMLElement {
  const id = `f-${Math.random().toString(36).slice(2, 10)}`;
  input.id = id;
  return h('div', {}, h('label', { for: id }, label), input);
}

/**
 * A data table in its own scrolling box: a wide one scrolls sideways by itself (keyboard included,
 * the box takes the focus) while the page keeps to the phone's width (WCAG 1.4.10).
 */
export function table(headers: string[], rows: (Child[] | { cells: Child[]; className?: string })[], caption?: string): HTMLElement {
  const grid = h(
    'table',
    {},
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, ...headers.map((name) => h('th', { scope: 'col' }, name)))),
    h(
      'tbody',
      {},
      ...rows.map((row) => {
        const { cells, className } = Array.isArray(row) ? { cells: row, className: undefined } : row;
        return h('tr', { class: className }, ...cells.map((cell) => h('td', {}, cell)));
      }),
    ),
  );
  return h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': caption ? `${caption} (table)` : 'Table' }, grid);
}

/** Links to the same screen at each of the caller's locations, when there is more than one. */
export function locationLinks(locations: string[] | undefined, screen: string): HTMLElement | null {
  if (!locations || locations.length < 2) return null;
  return h('p', {}, 'Your locations: ', ...locations.flatMap((id, index) => [index ? ', ' : '', h('a', { href: `#/${screen}/${encodeURIComponent(id)}` }, id)]));
}

/** A node that may be absent, as a list to spread among others. */
export const optional = (node: Node | null | undefined): Node[] => (node ? [node] : []);
