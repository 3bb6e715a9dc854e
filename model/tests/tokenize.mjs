// Tokenizes prompts with @huggingface/tokenizers, the library the browser worker uses, so pytest can
// compare its ids with the Python reference. Usage: node tokenize.mjs tokenizer.json < prompts.json
import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';

const tokenizer = new Tokenizer(JSON.parse(readFileSync(process.argv[2], 'utf8')), {});
const prompts = JSON.parse(readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(prompts.map((p) => tokenizer.encode(p).ids)));
