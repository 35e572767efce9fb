// Writes a tiny llama-architecture GGUF with random weights, so tests can run a real llama.cpp engine
// (tokenizer, chat template, grammar-constrained sampling) without downloading model weights.
// Output is gibberish by design. The file is written from scratch following the GGUF v3 layout:
//   header (magic, version, tensor count, kv count) → metadata KVs → tensor infos → padding → tensor data.
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Bump when the generated model changes, so cached files in the temp dir are regenerated. */
const TINY_GGUF_VERSION = 2;

const ALIGNMENT = 32;

/** Model shape: small enough to load and generate in milliseconds on one CPU thread. */
const TINY_GGUF_PARAMS = {
  embeddingLength: 64,
  blockCount: 2,
  headCount: 4,
  headCountKv: 2,
  feedForwardLength: 128,
  contextLength: 8192,
} as const;

const TINY_CHATML_TEMPLATE =
  "{% for message in messages %}" +
  "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}" +
  "{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] as const;

/** A few merges so the BPE merge path is exercised; each left+right pair becomes one extra token. */
const MERGES: ReadonlyArray<readonly [string, string]> = [
  ["Ġ", "t"],
  ["h", "e"],
  ["i", "n"],
  ["e", "r"],
  ["Ġ", "a"],
  ["o", "n"],
  ["r", "e"],
  ["Ġt", "he"],
  ["Ġ", "s"],
  ["a", "t"],
  ["e", "n"],
  ["o", "r"],
];

// GGUF metadata value types.
enum T {
  U8 = 0,
  U32 = 4,
  I32 = 5,
  F32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
}

type Value =
  | { type: T.U32 | T.I32 | T.F32 | T.U8; value: number }
  | { type: T.BOOL; value: boolean }
  | { type: T.STRING; value: string }
  | { type: T.ARRAY; itemType: T.STRING; value: readonly string[] }
  | { type: T.ARRAY; itemType: T.I32; value: readonly number[] };

/** Growable little-endian byte writer. */
class ByteWriter {
  private chunks: Buffer[] = [];
  length = 0;

  private push(buf: Buffer): void {
    this.chunks.push(buf);
    this.length += buf.length;
  }
  u32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    this.push(b);
  }
  i32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    this.push(b);
  }
  u64(n: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    this.push(b);
  }
  f32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(n);
    this.push(b);
  }
  u8(n: number): void {
    this.push(Buffer.from([n]));
  }
  bytes(buf: Buffer): void {
    this.push(buf);
  }
  /** GGUF strings are a u64 byte length followed by UTF-8 bytes, no terminator. */
  str(s: string): void {
    const b = Buffer.from(s, "utf8");
    this.u64(b.length);
    this.push(b);
  }
  padTo(alignment: number): void {
    const rem = this.length % alignment;
    if (rem !== 0) this.push(Buffer.alloc(alignment - rem));
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

function writeValue(w: ByteWriter, v: Value): void {
  w.u32(v.type);
  switch (v.type) {
    case T.U8:
      w.u8(v.value);
      return;
    case T.U32:
      w.u32(v.value);
      return;
    case T.I32:
      w.i32(v.value);
      return;
    case T.F32:
      w.f32(v.value);
      return;
    case T.BOOL:
      w.u8(v.value ? 1 : 0);
      return;
    case T.STRING:
      w.str(v.value);
      return;
    case T.ARRAY:
      w.u32(v.itemType);
      w.u64(v.value.length);
      for (const item of v.value) {
        if (v.itemType === T.STRING) w.str(item as string);
        else w.i32(item as number);
      }
      return;
  }
}

/**
 * GPT-2's byte-to-unicode table: byte-level BPE vocabularies spell every byte as a printable character
 * (space is "Ġ", newline is "Ċ"), and llama.cpp looks byte tokens up by that spelling.
 */
function byteToUnicode(): string[] {
  const direct: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) direct.push(b);
  for (let b = 0xa1; b <= 0xac; b++) direct.push(b);
  for (let b = 0xae; b <= 0xff; b++) direct.push(b);
  const table: string[] = new Array(256);
  let next = 0;
  for (let b = 0; b < 256; b++) {
    table[b] = direct.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + next++);
  }
  return table;
}

/** mulberry32: tiny deterministic PRNG, so the same seed always yields byte-identical files. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Tensor {
  name: string;
  /** ggml order: dims[0] is the contiguous (input) dimension. */
  dims: number[];
  data: Float32Array;
}

interface Vocab {
  tokens: string[];
  types: number[];
  merges: string[];
  bos: number;
  eos: number;
  /** Token ids that should rarely be sampled (specials and non-printable bytes). */
  quiet: Set<number>;
}

function buildVocab(): Vocab {
  const byteChars = byteToUnicode();
  const tokens = [...byteChars];
  const types: number[] = tokens.map(() => 1); // 1 = normal
  const quiet = new Set<number>();
  for (let b = 0; b < 256; b++) if (b < 0x20 || b > 0x7e) quiet.add(b);
  const merges: string[] = [];
  for (const [left, right] of MERGES) {
    merges.push(`${left} ${right}`);
    if (!tokens.includes(left + right)) {
      tokens.push(left + right);
      types.push(1);
    }
  }
  for (const special of SPECIAL_TOKENS) {
    quiet.add(tokens.length);
    tokens.push(special);
    types.push(3); // 3 = control
  }
  return {
    tokens,
    types,
    merges,
    bos: tokens.indexOf("<|endoftext|>"),
    eos: tokens.indexOf("<|im_end|>"),
    quiet,
  };
}

function buildTensors(vocab: Vocab, seed: number): Tensor[] {
  const {
    embeddingLength: nEmbd,
    blockCount,
    headCount,
    headCountKv,
    feedForwardLength: nFf,
  } = TINY_GGUF_PARAMS;
  const nVocab = vocab.tokens.length;
  const nEmbdKv = (nEmbd / headCount) * headCountKv;
  const rand = prng(seed);
  // Uniform in [-a, a] has std a/sqrt(3); scale by fan-in so activations stay O(1) through the layers.
  const uniform = (count: number, std: number): Float32Array => {
    const a = std * Math.sqrt(3);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = (rand() * 2 - 1) * a;
    return out;
  };
  const ones = (count: number) => new Float32Array(count).fill(1);
  const matrix = (name: string, nIn: number, nOut: number, std = 1 / Math.sqrt(nIn)): Tensor => ({
    name,
    dims: [nIn, nOut],
    data: uniform(nIn * nOut, std),
  });

  const tensors: Tensor[] = [matrix("token_embd.weight", nEmbd, nVocab, 1)];
  for (let i = 0; i < blockCount; i++) {
    tensors.push(
      { name: `blk.${i}.attn_norm.weight`, dims: [nEmbd], data: ones(nEmbd) },
      matrix(`blk.${i}.attn_q.weight`, nEmbd, nEmbd),
      matrix(`blk.${i}.attn_k.weight`, nEmbd, nEmbdKv),
      matrix(`blk.${i}.attn_v.weight`, nEmbd, nEmbdKv),
      matrix(`blk.${i}.attn_output.weight`, nEmbd, nEmbd),
      { name: `blk.${i}.ffn_norm.weight`, dims: [nEmbd], data: ones(nEmbd) },
      matrix(`blk.${i}.ffn_gate.weight`, nEmbd, nFf),
      matrix(`blk.${i}.ffn_up.weight`, nEmbd, nFf),
      matrix(`blk.${i}.ffn_down.weight`, nFf, nEmbd),
    );
  }
  tensors.push({ name: "output_norm.weight", dims: [nEmbd], data: ones(nEmbd) });
  // Logit std ≈ 2 gives varied gibberish. Rows of "quiet" tokens are zeroed (logit 0, far below the
  // typical max), so random output rarely ends at once on an end token or spells invalid UTF-8.
  const output = matrix("output.weight", nEmbd, nVocab, 2 / Math.sqrt(nEmbd));
  for (const id of vocab.quiet) output.data.fill(0, id * nEmbd, (id + 1) * nEmbd);
  tensors.push(output);
  return tensors;
}

/** Builds the whole GGUF file in memory (about 0.5 MB). */
function buildTinyGguf(options: { seed?: number } = {}): Buffer {
  const seed = options.seed ?? 1;
  const p = TINY_GGUF_PARAMS;
  const vocab = buildVocab();
  const tensors = buildTensors(vocab, seed);

  const u32 = (value: number): Value => ({ type: T.U32, value });
  const f32 = (value: number): Value => ({ type: T.F32, value });
  const str = (value: string): Value => ({ type: T.STRING, value });
  const metadata: Array<[string, Value]> = [
    ["general.architecture", str("llama")],
    ["general.name", str(`modelspec tiny random llama (seed ${seed})`)],
    ["general.alignment", u32(ALIGNMENT)],
    ["general.file_type", u32(0)], // all F32
    ["llama.context_length", u32(p.contextLength)],
    ["llama.embedding_length", u32(p.embeddingLength)],
    ["llama.block_count", u32(p.blockCount)],
    ["llama.feed_forward_length", u32(p.feedForwardLength)],
    ["llama.attention.head_count", u32(p.headCount)],
    ["llama.attention.head_count_kv", u32(p.headCountKv)],
    ["llama.attention.layer_norm_rms_epsilon", f32(1e-5)],
    ["llama.rope.dimension_count", u32(p.embeddingLength / p.headCount)],
    ["llama.rope.freq_base", f32(10000)],
    ["llama.vocab_size", u32(vocab.tokens.length)],
    ["tokenizer.ggml.model", str("gpt2")],
    ["tokenizer.ggml.pre", str("gpt-2")],
    ["tokenizer.ggml.tokens", { type: T.ARRAY, itemType: T.STRING, value: vocab.tokens }],
    ["tokenizer.ggml.token_type", { type: T.ARRAY, itemType: T.I32, value: vocab.types }],
    ["tokenizer.ggml.merges", { type: T.ARRAY, itemType: T.STRING, value: vocab.merges }],
    ["tokenizer.ggml.bos_token_id", u32(vocab.bos)],
    ["tokenizer.ggml.eos_token_id", u32(vocab.eos)],
    ["tokenizer.ggml.padding_token_id", u32(vocab.bos)],
    ["tokenizer.ggml.add_bos_token", { type: T.BOOL, value: false }],
    ["tokenizer.chat_template", str(TINY_CHATML_TEMPLATE)],
  ];

  const w = new ByteWriter();
  w.bytes(Buffer.from("GGUF", "ascii"));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(metadata.length);
  for (const [key, value] of metadata) {
    w.str(key);
    writeValue(w, value);
  }

  // Tensor offsets are relative to the start of the data section and each must be aligned.
  let offset = 0;
  const offsets: number[] = [];
  for (const tensor of tensors) {
    offsets.push(offset);
    offset += tensor.data.byteLength;
    offset += (ALIGNMENT - (offset % ALIGNMENT)) % ALIGNMENT;
  }
  tensors.forEach((tensor, i) => {
    w.str(tensor.name);
    w.u32(tensor.dims.length);
    for (const d of tensor.dims) w.u64(d);
    w.u32(0); // ggml type F32
    w.u64(offsets[i] ?? 0);
  });

  w.padTo(ALIGNMENT);
  for (const tensor of tensors) {
    w.bytes(Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    w.padTo(ALIGNMENT);
  }
  return w.toBuffer();
}

/** Writes the tiny model to `path` (atomically, so concurrent test files never see half a file). */
export async function createTinyGguf(path: string, options: { seed?: number } = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temp, buildTinyGguf(options));
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
}

/** Path to a cached tiny model in the OS temp dir, created on first use (keyed by TINY_GGUF_VERSION). */
export async function tinyGgufPath(): Promise<string> {
  const path = join(tmpdir(), `modelspec-tiny-llama-v${TINY_GGUF_VERSION}.gguf`);
  const exists = await stat(path).then(
    (s) => s.isFile() && s.size > 0,
    () => false,
  );
  if (!exists) await createTinyGguf(path);
  return path;
}
