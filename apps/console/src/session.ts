/** What the console reads from the token to choose its screens; the services decide what it may do. */
export interface Principal {
  sub: string;
  role: 'admin' | 'ops' | 'staff' | 'channel';
  locations?: string[];
  channels?: string[];
  exp?: number;
}

const KEY = 'fil.token';
const ROLES: readonly unknown[] = ['admin', 'ops', 'staff', 'channel'];

/** Whether the caller takes the steps of a location's work (pick, ship, receive…): admin and staff; ops and channels only look. */
export const takesSteps = (principal: Principal) => principal.role === 'admin' || principal.role === 'staff';

/** Whether the token's expiry (if any) has passed. */
export const hasExpired = (principal: Principal) => principal.exp !== undefined && principal.exp * 1000 <= Date.now();

/** The JWT's payload, base64url-decoded; undefined when the text is no JWT with a role. */
export function decodeToken(token: string): Principal | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '=');
    // atob gives bytes; the claims are UTF-8 (a name such as "préparatrice").
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)))) as Principal;
    return ROLES.includes(claims.role) && typeof claims.sub === 'string' ? claims : undefined;
  } catch {
    return undefined;
  }
}

export const session = {
  token: (): string | null => sessionStorage.getItem(KEY),
  /** The signed-in caller; none once the token has expired, so that the page asks for a new one. */
  principal: (): Principal | undefined => {
    const token = sessionStorage.getItem(KEY);
    const principal = token ? decodeToken(token) : undefined;
    if (principal && hasExpired(principal)) return void sessionStorage.removeItem(KEY);
    return principal;
  },
  signIn: (token: string) => sessionStorage.setItem(KEY, token),
  signOut: () => sessionStorage.removeItem(KEY),
};
