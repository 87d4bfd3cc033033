#!/usr/bin/env node
// The `x402-stacks-mcp` command: runs mcp/main.ts through tsx's loader in this same process, so
// an MCP client that stops the command by its pid stops the server too.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
