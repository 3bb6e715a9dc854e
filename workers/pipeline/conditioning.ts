// The text conditioning one U-Net reads (context and mask rows, kandinsky3-architecture §5.3), and what
// asking for it takes: the prompts, whether guidance adds the unconditional row, and which text output.
export interface Conditioning {
  context: Float32Array; // (rows, length, width)
  mask: BigInt64Array; // (rows, length)
  rows: 1 | 2;
  length: number;
  width: number;
}

export interface ConditioningRequest {
  prompt: string;
  negativePrompt: string;
  guided: boolean;
  textComponent: string;
  contextOutput: string;
  nullEmbedding?: Float32Array;
}
