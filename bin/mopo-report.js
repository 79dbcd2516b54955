#!/usr/bin/env node
import { builtCommand } from './built.js';
const main = await builtCommand('mopo-report');
process.exitCode = await main(process.argv.slice(2));
