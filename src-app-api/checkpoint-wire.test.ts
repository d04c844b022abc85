/** Malformed checkpoint messages are rejected on arrival, naming the channel, before any path is built. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKPOINT_NAME } from './checkpoint-schemas';
import { ApiValidationError, parsePayload, parseRequest } from './wire';
import { parseInternal } from './worker-api';
import { CheckpointLibrary } from '../src-main/checkpoints/library';

const TRAVERSALS = ['../../etc/passwd', '..', '../x', '..\\..\\windows', '/etc/passwd', 'C:\\temp\\x', 'a/b', '.hidden', 'x.safetensors', '%2e%2e%2fetc', 'a\0b', '', ' ', 'ok name', 'x'.repeat(65)];
/** Strings holding at least one character a name may not have (a dot, a slash, a backslash, a NUL...). */
const badName = fc.oneof(
  fc.constantFrom(...TRAVERSALS),
  fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom('.', '/', '\\', '\0', ':', ' ', '..'), fc.string({ maxLength: 10 })).map(([a, bad, b]) => a + bad + b),
);
const wrongType = fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 2 }), fc.record({ path: fc.string() }));

function expectRejected(channel: 'checkpoint:save' | 'checkpoint:open' | 'checkpoint:list', payload: unknown): void {
  expect(() => parsePayload(channel, payload)).toThrow(ApiValidationError);
  expect(() => parsePayload(channel, payload)).toThrow(`IPC '${channel}': rejected`);
  expect(() => parseRequest({ kind: 'request', id: 1, channel, payload })).toThrow(`IPC '${channel}'`);
}

describe('checkpoint messages', () => {
  it('reject bad names and traversal attempts on save and open, naming the channel', () => {
    fc.assert(
      fc.property(badName, (name) => {
        expectRejected('checkpoint:save', { name });
        expectRejected('checkpoint:open', { source: 'folder', name });
      }),
      { numRuns: 300 },
    );
    expect(() => parsePayload('checkpoint:save', { name: '../../etc/passwd' })).toThrow(/IPC 'checkpoint:save': rejected: name: a checkpoint name is/);
  });

  it('reject wrong types, unknown sources, paths, bad ids and extra keys', () => {
    fc.assert(
      fc.property(wrongType, (value) => {
        expectRejected('checkpoint:save', { name: value });
        expectRejected('checkpoint:open', { source: 'folder', name: value });
        expectRejected('checkpoint:open', { source: 'recent', id: value });
        expectRejected('checkpoint:open', { source: value });
        expectRejected('checkpoint:list', { evil: value });
      }),
      { numRuns: 200 },
    );
    expectRejected('checkpoint:open', { source: 'path', path: '/etc/passwd' });
    expectRejected('checkpoint:open', { source: 'dialog', path: '/etc/passwd' });
    expectRejected('checkpoint:open', { source: 'recent', id: '../../etc/passwd' });
    expectRejected('checkpoint:save', { name: 'ok', path: '/tmp/x.safetensors' });
  });

  it('accept every valid name, and the library maps it inside its checkpoints folder', () => {
    const library = new CheckpointLibrary(mkdtempSync(join(tmpdir(), 'tinyflow-names-')));
    fc.assert(
      fc.property(fc.stringMatching(CHECKPOINT_NAME), (name) => {
        expect(parsePayload('checkpoint:save', { name })).toEqual({ name });
        expect(library.pathOf(name)).toBe(join(library.folder, `${name}.safetensors`));
      }),
    );
    // The library checks again, whatever validated the name before it.
    for (const name of TRAVERSALS) expect(() => library.pathOf(name)).toThrow('is not allowed');
  });

  it('reject malformed internal (host → worker) messages by channel', () => {
    expect(() => parseInternal({ kind: 'internal', id: 1, channel: 'checkpoint:write', payload: { path: 7 } })).toThrow("IPC 'checkpoint:write': rejected");
    expect(() => parseInternal({ kind: 'internal', id: 1, channel: 'checkpoint:load', payload: { path: '/x' } })).toThrow("IPC 'checkpoint:load': rejected");
    expect(() => parseInternal({ kind: 'internal', id: 1, channel: 'fs:delete', payload: {} })).toThrow('malformed internal message');
    // The renderer's envelope cannot reach the internal channels at all.
    expect(() => parseRequest({ kind: 'request', id: 1, channel: 'checkpoint:write', payload: { path: '/etc/passwd' } })).toThrow(
      "IPC 'checkpoint:write': rejected: unknown channel",
    );
  });
});
