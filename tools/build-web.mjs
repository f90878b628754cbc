#!/usr/bin/env node
// Builds the web console (apps/web/dist) unless it is up to date; `--force` always builds.
import { buildWeb } from './lib/steps.mjs';

buildWeb({ force: process.argv.includes('--force') });
