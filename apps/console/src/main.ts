import { h } from './dom';
import { fulfillmentScreen } from './fulfillment-page';
import { deadLettersScreen } from './dead-letters-page';
import { kpisScreen } from './kpis-page';
import { orderScreen } from './order-page';
import { orderSearchScreen } from './order-search';
import { returnsScreen } from './returns-page';
import { navigated, showScreen } from './screen';
import { decodeToken, hasExpired, session, type Principal } from './session';
import { stockScreen } from './stock-page';
import { workListScreen } from './work-list';

const main = document.getElementById('main')!;
const nav = document.getElementById('nav')!;
const who = document.getElementById('who')!;

/** The screens a role may use; the services still decide every call. */
function screensOf(principal: Principal): [hash: string, name: string][] {
  const work: [string, string] = ['#/work', 'Work'];
  const orders: [string, string] = ['#/order', 'Orders'];
  const stock: [string, string] = ['#/stock', 'Stock'];
  const returns: [string, string] = ['#/returns', 'Returns'];
  const kpis: [string, string] = ['#/kpis', 'KPIs'];
  if (principal.role === 'staff') return [work, returns, stock];
  if (principal.role === 'channel') return [orders];
  return [orders, stock, work, returns, kpis, ['#/dead-letters', 'Dead letters']];
}

function signInScreen(): void {
  const token = h('textarea', { id: 'token', name: 'token', rows: 4, autocomplete: 'off', spellcheck: 'false' });
  const error = h('div', { 'aria-live': 'assertive' });
  const submit = (event: Event) => {
    event.preventDefault();
    const text = token.value.trim();
    const claims = decodeToken(text);
    const refuse = (why: string) => void error.replaceChildren(h('div', { class: 'answer refused', role: 'alert' }, why));
    if (!claims) return refuse('This is not a Fil token (a JWT with a role).');
    if (hasExpired(claims)) return refuse(`This token expired at ${new Date(claims.exp! * 1000).toISOString()}: ask for a new one.`);
    session.signIn(text);
    window.location.hash = '#/';
    route();
  };
  showScreen(
    main,
    h('h1', {}, 'Sign in'),
    h('form', { onsubmit: submit }, h('label', { for: 'token' }, 'Token'), token, h('p', {}, 'Development tokens are printed by npm start and kept in .local/staff-tokens.sh.'), h('button', { type: 'submit', class: 'primary' }, 'Sign in')),
    error,
  );
  token.focus();
}

function header(principal: Principal | undefined): void {
  if (!principal) return void (nav.replaceChildren(), who.replaceChildren());
  nav.replaceChildren(...screensOf(principal).map(([hash, name]) => h('a', { href: hash }, name)));
  const signOut = () => {
    session.signOut();
    window.location.hash = '#/';
    route();
  };
  const scope = principal.locations?.join(', ') ?? principal.channels?.join(', ');
  who.replaceChildren(`${principal.sub} (${principal.role}${scope ? ` at ${scope}` : ''}) `, h('button', { type: 'button', onclick: signOut }, 'Sign out'));
}

function route(): void {
  navigated();
  const principal = session.principal();
  header(principal);
  if (!principal) return signInScreen();
  const [screen, argument] = addressParts();
  if (screen === undefined) return showScreen(main, h('h1', {}, 'Not found'), h('p', {}, 'This address cannot be read (a % not followed by two hex digits).'));
  if (screen === 'work') return workListScreen(main, principal, argument || undefined);
  if (screen === 'kpis') return kpisScreen(main);
  if (screen === 'returns') return returnsScreen(main, principal, argument || undefined);
  if (screen === 'fulfillment' && argument) return fulfillmentScreen(main, principal, argument);
  if (screen === 'order') return void (argument ? orderScreen(main, argument) : orderSearchScreen(main));
  if (screen === 'stock') return void stockScreen(main, argument || undefined);
  if (screen === 'dead-letters' && (principal.role === 'admin' || principal.role === 'ops')) return void deadLettersScreen(main);
  window.location.hash = screensOf(principal)[0][0];
}

/** The screen and its argument from the address; none when it cannot be decoded. */
function addressParts(): (string | undefined)[] {
  try {
    return window.location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  } catch {
    return [];
  }
}

window.addEventListener('hashchange', route);
route();
