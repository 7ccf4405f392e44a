// Where the project's files are: the repository root holds the web build, the township list, the rule packs
// and the default data folder. From source this file is app/paths.ts; from the build it is dist/app/paths.js,
// one folder deeper — the root is the nearest folder above with the package.json.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const ROOT = existsSync(path.join(here, '..', 'package.json')) ? path.resolve(here, '..') : path.resolve(here, '..', '..');
