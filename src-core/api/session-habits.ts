/**
 * TF-1's session habits: `t.eval({feed_dict, session})`, `op.run(...)`, the default session
 * (`tf.InteractiveSession()`, `sess.as_default(fn)`, `tf.get_default_session()`) and `tf.Graph()`
 * callable without `new`. eval/run are async like `Session.run`; `evalSync`/`runSync` are their twins
 * on synchronous backends.
 */
import { FailedPreconditionError, InvalidArgumentError } from '../errors';
import { Graph as GraphClass } from '../graph/graph';
import { Operation } from '../graph/operation';
import { Tensor } from '../graph/tensor';
import type { NDArray } from '../ndarray';
import { Session, type SessionOptions } from '../session';
import { getDefaultSession, installInteractive } from '../session-default';
import type { FeedDict } from '../session-feeds';
import { describeValue, guarded, optionsOf } from './options';

export interface EvalOptions {
  feed_dict?: FeedDict;
  /** The session to run in; default: the default session. */
  session?: Session;
}

declare module '../graph/tensor' {
  interface Tensor {
    /** TF-1's `t.eval(feed_dict, session)`: this tensor's value, from the given or the default session. */
    eval(options?: EvalOptions): Promise<NDArray>;
    /** `eval` on a synchronous backend (cpu, wasm). */
    evalSync(options?: EvalOptions): NDArray;
  }
}

declare module '../graph/operation' {
  interface Operation {
    /** TF-1's `op.run(feed_dict, session)`: runs this operation in the given or the default session. */
    run(options?: EvalOptions): Promise<void>;
    /** `run` on a synchronous backend (cpu, wasm). */
    runSync(options?: EvalOptions): void;
  }
}

/** The session an eval/run uses, checked against the graph of what it runs. */
function sessionFor(what: string, node: Tensor | Operation, options: EvalOptions | undefined): { session: Session; feed_dict?: FeedDict } {
  const o = optionsOf<EvalOptions>(what, options, ['feed_dict', 'session']);
  if (o.session !== undefined && !(o.session instanceof Session)) {
    throw new InvalidArgumentError(`${what}: session must be a tf.Session, got ${describeValue(o.session)}`);
  }
  const session = o.session ?? getDefaultSession();
  if (session === null) {
    throw new FailedPreconditionError(
      `${what} '${node.name}': no default session is registered; pass {session: sess}, run it inside ` +
        'sess.as_default(() => ...), or create a tf.InteractiveSession()',
    );
  }
  if (session.graph !== node.graph) {
    throw new InvalidArgumentError(`${what} '${node.name}': the session's graph is not the graph this ${node instanceof Tensor ? 'tensor' : 'operation'} belongs to`);
  }
  return o.feed_dict === undefined ? { session } : { session, feed_dict: o.feed_dict };
}

Tensor.prototype.eval = async function (this: Tensor, options?: EvalOptions): Promise<NDArray> {
  const { session, feed_dict } = sessionFor('Tensor.eval', this, options);
  return session.run(this, { feed_dict });
};

Tensor.prototype.evalSync = function (this: Tensor, options?: EvalOptions): NDArray {
  const { session, feed_dict } = sessionFor('Tensor.evalSync', this, options);
  return session.runSync(this, { feed_dict });
};

Operation.prototype.run = async function (this: Operation, options?: EvalOptions): Promise<void> {
  const { session, feed_dict } = sessionFor('Operation.run', this, options);
  await session.run(this, { feed_dict });
};

Operation.prototype.runSync = function (this: Operation, options?: EvalOptions): void {
  const { session, feed_dict } = sessionFor('Operation.runSync', this, options);
  session.runSync(this, { feed_dict });
};

type Factory<A extends unknown[], T> = {
  (...args: A): T;
  new (...args: A): T;
};

/**
 * tf.InteractiveSession(options): a Session that makes itself the default session when created (so
 * `t.eval()` needs no session), until it closes or another InteractiveSession is made.
 */
export const InteractiveSession = guarded('InteractiveSession', function (options?: SessionOptions): Session {
  const sess = new Session(options);
  installInteractive(sess);
  return sess;
}) as unknown as Factory<[SessionOptions?], Session>;
(InteractiveSession as unknown as { prototype: unknown }).prototype = Session.prototype;

/** tf.get_default_session(): the session eval/run use by default, or null. */
export function get_default_session(): Session | null {
  return getDefaultSession();
}

/** tf.Graph(), with or without `new`; `instanceof tf.Graph` holds. Use it with `g.as_default(fn)`. */
export const Graph = function (): GraphClass {
  return new GraphClass();
} as unknown as Factory<[], GraphClass>;
(Graph as unknown as { prototype: unknown }).prototype = GraphClass.prototype;
