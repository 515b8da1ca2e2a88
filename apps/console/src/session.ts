/** What the console reads from the token to choose its screens; the services decide what it may do. */
export interface Principal {
  sub: string;
  role: 'admin' | 'ops' | 'staff' | 'channel';
  locations?: string[];
  channels?: string[];
  exp?: number;
}

const KEY = 'fil.token';

/** The JWT's payload, base64url-decoded; undefined when the text is no JWT with a role. */
export function decodeToken(token: string): Principal | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const claims = JSON.parse(atob(base64)) as Principal;
    return typeof claims.role === 'string' && typeof claims.sub === 'string' ? claims : undefined;
  } catch {
    return undefined;
  }
}

export const session = {
  token: (): string | null => sessionStorage.getItem(KEY),
  principal: (): Principal | undefined => {
    const token = sessionStorage.getItem(KEY);
    return token ? decodeToken(token) : undefined;
  },
  signIn: (token: string) => sessionStorage.setItem(KEY, token),
  signOut: () => sessionStorage.removeItem(KEY),
};
