/**
 * TF-1's default session: the one `t.eval()` and `op.run()` use when no session is passed. A session
 * becomes the default inside `sess.as_default(fn)`, or for good when it is an InteractiveSession,
 * until it closes.
 */
import type { Session } from './session';

const stack: Session[] = [];
let interactive: Session | null = null;

/** The innermost `as_default` session, else the open InteractiveSession, else null (TF-1 returns None). */
export function getDefaultSession(): Session | null {
  return stack.length > 0 ? stack[stack.length - 1] : interactive;
}

/** Makes `sess` the default outside any `as_default` block (what an InteractiveSession does on creation). */
export function installInteractive(sess: Session): void {
  interactive = sess;
}

/** Forgets `sess` wherever it is the default (it has closed). */
export function forgetSession(sess: Session): void {
  if (interactive === sess) interactive = null;
  for (let i = stack.length - 1; i >= 0; i--) if (stack[i] === sess) stack.splice(i, 1);
}

/**
 * Runs `fn` with `sess` as the default session. An async `fn` keeps it as the default until its
 * promise settles; only this entry is removed then, so overlapping blocks do not pop each other's.
 */
export function withDefaultSession<T>(sess: Session, fn: () => T): T {
  stack.push(sess);
  const leave = () => {
    const i = stack.lastIndexOf(sess);
    if (i >= 0) stack.splice(i, 1);
  };
  let result: T;
  try {
    result = fn();
  } catch (error) {
    leave();
    throw error;
  }
  if (result instanceof Promise) return result.finally(leave) as T;
  leave();
  return result;
}
