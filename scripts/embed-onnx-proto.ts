/**
 * Embeds src-core/export/onnx/onnx.proto (the official schema, committed unchanged) into a TS module, so
 * the exporter reads the same text under tsx, in the esbuild bundle and in the npm package, none of which
 * may rely on the .proto file sitting next to the code. `--check` fails when the embedded copy is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { embeddedModuleText, PROTO_PATH, MODULE_PATH } from '../src-core/export/onnx/embed';

const root = fileURLToPath(new URL('..', import.meta.url));
const proto = readFileSync(root + PROTO_PATH, 'utf8');
const wanted = embeddedModuleText(proto);
if (process.argv.includes('--check')) {
  const current = readFileSync(root + MODULE_PATH, 'utf8');
  if (current !== wanted) {
    console.error(`${MODULE_PATH} does not match ${PROTO_PATH}: run 'npx tsx scripts/embed-onnx-proto.ts'`);
    process.exit(1);
  }
} else {
  writeFileSync(root + MODULE_PATH, wanted);
  console.log(`wrote ${MODULE_PATH} (${proto.length} characters of ${PROTO_PATH})`);
}
