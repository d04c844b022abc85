/**
 * The packaging fuses, flipped in a synthetic "binary" that carries Electron's fuse sentinel and wire
 * layout (sentinel, version byte, wire length, one ASCII '0'/'1' per fuse), as @electron/fuses finds
 * them in a real Electron build: the real binary cannot be downloaded here.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import afterPack, { hardenElectronBinary, packagedBinary, STUDIO_FUSES } from '../../scripts/electron-fuses.mjs';

const SENTINEL = Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX');
const ROOT = resolve(import.meta.dirname, '../..');
/** The wire's first 8 fuses in Electron's order, set as Electron ships them (its documented defaults): RunAsNode on, cookie encryption off, NODE_OPTIONS and --inspect on, asar checks off, file:// privileged. */
const ORDER = ['RunAsNode', 'EnableCookieEncryption', 'EnableNodeOptionsEnvironmentVariable', 'EnableNodeCliInspectArguments', 'EnableEmbeddedAsarIntegrityValidation', 'OnlyLoadAppFromAsar', 'LoadBrowserProcessSpecificV8Snapshot', 'GrantFileProtocolExtraPrivileges'];
const SHIPPED = '10110001';

function syntheticBinary(wire = SHIPPED): { path: string; before: Buffer; at: number } {
  const before = Buffer.concat([randomBytes(4096), SENTINEL, Buffer.from([1, wire.length]), Buffer.from(wire, 'latin1'), randomBytes(4096)]);
  const path = join(mkdtempSync(join(tmpdir(), 'fuses-')), 'electron');
  writeFileSync(path, before);
  return { path, before, at: 4096 + SENTINEL.length + 2 };
}

/** Reads the wire back by hand, independently of @electron/fuses. */
function readWire(path: string): Record<string, string> {
  const bytes = readFileSync(path);
  const at = bytes.indexOf(SENTINEL) + SENTINEL.length;
  return Object.fromEntries(ORDER.slice(0, bytes[at + 1]).map((name, i) => [name, String.fromCharCode(bytes[at + 2 + i])]));
}

describe('electron fuses at packaging', () => {
  it('turns RunAsNode, NODE_OPTIONS, --inspect and file:// privileges off, cookie encryption and asar integrity / asar-only on, and nothing else', async () => {
    const { path, before, at } = syntheticBinary();
    const result = await hardenElectronBinary(path);
    expect(result).toEqual(STUDIO_FUSES);
    expect(readWire(path)).toEqual({
      RunAsNode: '0',
      EnableCookieEncryption: '1',
      EnableNodeOptionsEnvironmentVariable: '0',
      EnableNodeCliInspectArguments: '0',
      EnableEmbeddedAsarIntegrityValidation: '1',
      OnlyLoadAppFromAsar: '1',
      LoadBrowserProcessSpecificV8Snapshot: '0', // not ours to set: left as shipped
      GrantFileProtocolExtraPrivileges: '0',
    });
    const after = readFileSync(path);
    expect(after.length).toBe(before.length);
    expect(after.subarray(0, at).equals(before.subarray(0, at))).toBe(true);
    expect(after.subarray(at + 8).equals(before.subarray(at + 8))).toBe(true);
  });

  it('refuses a binary without the sentinel, and one whose wire is too short for the fuses it must set', async () => {
    const plain = join(mkdtempSync(join(tmpdir(), 'fuses-')), 'electron');
    writeFileSync(plain, randomBytes(8192));
    await expect(hardenElectronBinary(plain)).rejects.toThrow('Could not find sentinel');
    await expect(hardenElectronBinary(syntheticBinary('1011').path)).rejects.toThrow(/not long enough/);
  });

  it('runs from the command line and as electron-builder afterPack on the packaged executable', async () => {
    const cli = syntheticBinary();
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/electron-fuses.mjs'), cli.path], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(STUDIO_FUSES);
    expect(readWire(cli.path).RunAsNode).toBe('0');
    expect(spawnSync(process.execPath, [join(ROOT, 'scripts/electron-fuses.mjs')], { encoding: 'utf8' }).status).toBe(2);

    const packed = syntheticBinary();
    const appOutDir = join(packed.path, '..');
    const context = { electronPlatformName: 'linux', appOutDir, packager: { appInfo: { productFilename: 'tinyflow studio' }, executableName: 'electron' } };
    expect(packagedBinary(context)).toBe(packed.path);
    await afterPack(context);
    expect(readWire(packed.path).EnableCookieEncryption).toBe('1');
    expect(packagedBinary({ ...context, electronPlatformName: 'win32' })).toBe(join(appOutDir, 'tinyflow studio.exe'));
    expect(packagedBinary({ ...context, electronPlatformName: 'darwin' })).toBe(join(appOutDir, 'tinyflow studio.app'));
  });
});
