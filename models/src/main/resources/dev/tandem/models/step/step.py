# One forward step of a Llama-family model (HF LlamaForCausalLM) over paged KV blocks, as TorchScript.
#
# This is the program's source as torch.jit.load reads it: StepArchive writes it at start into an
# archive (a zip with code/__torch__.py, data.pkl holding the attributes below) and DJL compiles it
# when it loads the archive. Serialized TorchScript: ops are spelled torch.NAME(...), a dtype is its
# number (6 float32, 5 float16, 15 bfloat16, 4 int64), and the compute dtype is the attribute `dtype`.
#
# Shapes: T tokens in the step (decode tokens first, then each multi-token chunk), D decode tokens,
# H query heads, K key/value heads, G = H / K query heads per KV head, d head_dim, S pool slots
# (blocks * block_size). The KV pool is one tensor [layers, 2, K, S, d]; slot s of a sequence's
# position p is table[p // block_size] * block_size + p % block_size, computed by the caller.
class Step(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  num_layers : int
  num_heads : int
  num_kv_heads : int
  head_dim : int
  block_size : int
  rms_norm_eps : float
  dtype : int
  device : str
  onednn_products : bool
  def forward(self: __torch__.Step,
    layers: List[List[Tensor]],
    model: List[Tensor],
    kv: Tensor,
    tokens: List[int],
    positions: List[int],
    slots: List[int],
    decode_count: int,
    decode_tables: List[int],
    decode_width: int,
    chunk_starts: List[int],
    chunk_lengths: List[int],
    chunk_tables: List[int],
    last_rows: List[int]) -> Tensor:
    # layers[l]: input_layernorm, q|k|v proj, o_proj, post_attention_layernorm, gate|up proj, down_proj
    # model: embed_tokens, norm, lm_head, inv_freq (rope_scaling applied)
    dev = torch.device(self.device)
    token_ids = torch.tensor(tokens, dtype=4, device=dev)                       # [T]
    position_ids = torch.tensor(positions, dtype=4, device=dev)                 # [T]
    slot_ids = torch.tensor(slots, dtype=4, device=dev)                         # [T]

    # RoPE: angles in float32 as HF computes them, cos and sin in the compute dtype
    freqs = torch.mul(torch.unsqueeze(torch.to(position_ids, 6), 1), torch.unsqueeze(model[3], 0))  # [T, d/2]
    angles = torch.cat([freqs, freqs], -1)                                      # [T, d]
    cos = torch.unsqueeze(torch.to(torch.cos(angles), self.dtype), 1)           # [T, 1, d]
    sines = torch.sin(freqs)                                                    # [T, d/2]
    sin = torch.unsqueeze(torch.to(torch.cat([torch.neg(sines), sines], -1), self.dtype), 1)  # [T, 1, d], see rope

    # Which pool blocks each sequence reads and its causal rule, the same for every layer
    decode_blocks = torch.tensor(decode_tables, dtype=4, device=dev)            # [D * width]
    decode_rows = self.decode_rows(decode_blocks, torch.size(kv, 3))           # [2 K D width]
    decode_mask = self.decode_mask(position_ids, decode_count, decode_width)    # [K D, 1, width * block_size]
    all_chunk_blocks = torch.tensor(chunk_tables, dtype=4, device=dev)         # the chunks' tables, one after another
    chunk_blocks = annotate(List[Tensor], [])
    chunk_masks = annotate(List[Tensor], [])
    chunk_runs = annotate(List[int], [])
    first = 0
    for c in range(torch.len(chunk_lengths)):
      blocks = torch.floordiv(chunk_starts[c] + chunk_lengths[c] - 1, self.block_size) + 1
      chunk_blocks.append(torch.slice(all_chunk_blocks, 0, first, first + blocks))  # [blocks]
      chunk_masks.append(self.chunk_mask(chunk_lengths[c], dev))                 # [n G, n]
      chunk_runs.append(self.run_start(chunk_tables, first, blocks))
      first = first + blocks
    scratch = self.chunk_scratch(chunk_starts, chunk_lengths, dev)             # the chunks' scores, one row block at a time

    # Token embeddings
    x = torch.embedding(model[0], token_ids)                                    # [T, hidden]

    for l in range(torch.len(layers)):
      w = layers[l]
      keys = torch.select(torch.select(kv, 0, l), 0, 0)                         # [K, S, d]
      values = torch.select(torch.select(kv, 0, l), 0, 1)                       # [K, S, d]

      # Self-attention: RMSNorm, q|k|v in one product, RoPE on q and k
      qkv = self.project(self.rms_norm(x, w[0]), w[1])                           # [T, (H + 2K) d]
      qk = torch.view(torch.slice(qkv, 1, 0, (self.num_heads + self.num_kv_heads) * self.head_dim),
                      [-1, self.num_heads + self.num_kv_heads, self.head_dim])  # [T, H + K, d]
      qk = self.rope(qk, cos, sin)
      q = torch.slice(qk, 1, 0, self.num_heads)                                 # [T, H, d]
      k = torch.slice(qk, 1, self.num_heads)                                    # [T, K, d]
      v = torch.view(torch.slice(qkv, 1, (self.num_heads + self.num_kv_heads) * self.head_dim),
                     [-1, self.num_kv_heads, self.head_dim])                    # [T, K, d]

      # This step's keys and values go into their pool slots, in place (the pool is head-major: one head's
      # keys of consecutive blocks are one contiguous [L, d] slab that a chunk reads with no copy or stride)
      torch.index_copy_(keys, 1, slot_ids, torch.transpose(k, 0, 1))
      torch.index_copy_(values, 1, slot_ids, torch.transpose(v, 0, 1))

      # Each token attends over its own sequence's blocks: decode tokens as one batch, chunks one by one
      outputs = annotate(List[Tensor], [])
      if torch.gt(decode_count, 0):
        outputs.append(self.attend_decode(torch.slice(q, 0, 0, decode_count), torch.select(kv, 0, l),
                                          decode_rows, decode_mask))            # [D, H d]
      row = decode_count
      for c in range(torch.len(chunk_lengths)):
        n = chunk_lengths[c]
        outputs.append(self.attend_chunk(torch.slice(q, 0, row, row + n), keys, values,
                                         chunk_blocks[c], chunk_runs[c], chunk_starts[c], chunk_masks[c], scratch))  # [n, H d]
        row = row + n
      attention = outputs[0]                                                    # [T, H d]
      if torch.gt(torch.len(outputs), 1):
        attention = torch.cat(outputs, 0)
      x = torch.add(x, self.project(attention, w[2]))                           # [T, hidden]

      # MLP: RMSNorm, gate|up in one product, SiLU(gate) * up, down
      gate_up = self.project(self.rms_norm(x, w[3]), w[4])                      # [T, 2 ffn]
      gate_and_up = torch.chunk(gate_up, 2, -1)
      hidden = torch.mul(torch.silu(gate_and_up[0]), gate_and_up[1])            # [T, ffn]
      x = torch.add(x, self.project(hidden, w[5]))                              # [T, hidden]

    # Final norm and the head, on the rows whose logits are wanted
    last = torch.index_select(x, 0, torch.tensor(last_rows, dtype=4, device=dev))  # [rows, hidden]
    logits = self.project(self.rms_norm(last, model[1]), model[2])              # [rows, vocab]
    return torch.to(logits, torch.device("cpu"), 6)                             # float32 for the sampler

  def rms_norm(self: __torch__.Step, x: Tensor, weight: Tensor) -> Tensor:
    # HF LlamaRMSNorm: in float32, x / sqrt(mean(x^2) + eps), back to the compute dtype, times the weight.
    # (torch.rms_norm rounds differently in bfloat16: greedy tokens then drift from HF's)
    x32 = torch.to(x, 6)
    variance = torch.mean(torch.pow(x32, 2), [-1], True)
    normed = torch.mul(x32, torch.rsqrt(torch.add(variance, self.rms_norm_eps)))
    return torch.mul(weight, torch.to(normed, self.dtype))

  def rope(self: __torch__.Step, x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
    # x * cos + rotate_half(x) * sin with rotate_half(x) = cat(-x2, x1) for halves x1, x2 of each head, written
    # as roll(x) * sin with sin's first half negated (built once per step; negation is exact)
    return torch.add(torch.mul(x, cos), torch.mul(torch.roll(x, [torch.floordiv(self.head_dim, 2)], [-1]), sin))

  def project(self: __torch__.Step, x: Tensor, weight: Tensor) -> Tensor:
    # x W^T, W [out, in] as loaded, or in oneDNN's blocked layout (see pack)
    if ops.prim.is_mkldnn(weight):
      return ops.mkldnn._linear_pointwise(x, weight, None, "none", annotate(List[Optional[number]], []), None)
    return torch.linear(x, weight)

  def pack(self: __torch__.Step, weight: Tensor) -> Tensor:
    # A product's weight [out, in], put once into the blocked layout oneDNN's kernels read (on the CPU).
    # A plain weight is reordered on every call: packed, a bfloat16 decode step took 0.6x the time, a
    # float32 one 0.85x, and float32 batch-16 steps and prefill 0.5x (benchmarks/results/step-perf.md).
    # Kept only where it gives linear's answer on a probe: PyTorch 2.7's oneDNN gets float32 weights wrong
    # whose row count is not a multiple of 64 (a 32,016-token head, the tests' small shapes)
    if not self.onednn_products:
      return weight
    packed = ops.mkldnn._reorder_linear_weight(weight, None)
    inputs = torch.size(weight, 1)
    probe = torch.to(torch.cos(torch.reshape(torch.arange(4 * inputs, dtype=6), [4, inputs])), ops.prim.dtype(weight))
    want = torch.linear(probe, weight)                                          # [4, out]
    error = torch.max(torch.abs(torch.sub(self.project(probe, packed), want)))
    if torch.le(torch.item(error), torch.mul(torch.item(torch.max(torch.abs(want))), 0.01)):
      return packed
    return weight

  def decode_mask(self: __torch__.Step, position_ids: Tensor, decode_count: int, width: int) -> Tensor:
    # Decode token i may see its sequence's positions 0..positions[i] of the width * block_size gathered;
    # one row per (KV head, token), as attend_decode's batched products count them
    length = width * self.block_size
    visible = torch.arange(length, dtype=4, device=ops.prim.device(position_ids))  # [L]
    own = torch.unsqueeze(torch.slice(position_ids, 0, 0, decode_count), 1)    # [D, 1]
    allowed = torch.le(torch.unsqueeze(visible, 0), own)                        # [D, L]
    zeros = torch.zeros([decode_count, length], dtype=6, device=ops.prim.device(position_ids))
    blocked = torch.masked_fill(zeros, torch.logical_not(allowed), float("-inf"))  # [D, L] float32: attention scores' dtype
    return torch.view(torch.repeat(blocked, [self.num_kv_heads, 1]), [self.num_kv_heads * decode_count, 1, length])  # [K D, 1, L]

  def chunk_mask(self: __torch__.Step, n: int, dev: Device) -> Tensor:
    # Token i of a chunk sees all positions before the chunk and the chunk's tokens 0..i: the causal rule
    # over the chunk's own n keys (the earlier ones need none); one row per (token, head in group)
    own = torch.arange(n, dtype=4, device=dev)                                  # [n]
    allowed = torch.le(torch.unsqueeze(own, 0), torch.unsqueeze(own, 1))       # [n, n]
    return torch.repeat_interleave(self.additive(allowed), torch.floordiv(self.num_heads, self.num_kv_heads), 0)  # [n G, n]

  def run_start(self: __torch__.Step, tables: List[int], first: int, count: int) -> int:
    # The table's first block when its blocks follow one another in the pool (a prompt prefilled into a
    # fresh pool), else -1: then the keys are a view of the pool, with nothing gathered
    for i in range(1, count):
      if tables[first + i] != tables[first] + i:
        return -1
    return tables[first]

  def additive(self: __torch__.Step, allowed: Tensor) -> Tensor:
    # 0 where attention is allowed, -inf elsewhere, in the compute dtype: what attention adds to its scores
    # (built once per step; a boolean mask would be converted again in every layer)
    blocked = torch.zeros(torch.size(allowed), dtype=self.dtype, device=ops.prim.device(allowed))
    return torch.masked_fill(blocked, torch.logical_not(allowed), float("-inf"))

  def gather(self: __torch__.Step, pool: Tensor, blocks: Tensor) -> Tensor:
    # The named blocks of one layer's keys or values [K, S, d], in table order
    paged = torch.view(pool, [self.num_kv_heads, -1, self.block_size, self.head_dim])  # [K, blocks, block_size, d]
    return torch.index_select(paged, 1, blocks)                                 # [K, n_blocks, block_size, d]

  def decode_rows(self: __torch__.Step, blocks: Tensor, slots: int) -> Tensor:
    # The decode tables as rows of one layer's pool seen as [2 K pool_blocks, block_size d]: every (keys |
    # values, KV head) row block of every table entry, in that order, so one index_select gathers a layer's
    # keys and values of all decode tokens, each row a contiguous block_size * d copy
    pool_blocks = torch.floordiv(slots, self.block_size)
    heads = torch.mul(torch.arange(2 * self.num_kv_heads, dtype=4, device=ops.prim.device(blocks)), pool_blocks)  # [2 K]
    return torch.reshape(torch.add(torch.unsqueeze(heads, 1), torch.unsqueeze(blocks, 0)), [-1])  # [2 K D width]

  def attend_decode(self: __torch__.Step, q: Tensor, pool: Tensor, rows: Tensor, mask: Tensor) -> Tensor:
    # Grouped-query attention of D single tokens as batched products: one batch entry per (KV head, token), its
    # G query heads the rows. Close to what scaled_dot_product_attention's CPU kernel computes: scores and
    # their exponentials in float32, the exponentials rounded to the compute dtype before they weight v, the
    # float32 total divided out at the end (here after the weighted sum is rounded once more). That kernel
    # multiplied each (token, head) pair in MKL's bfloat16 gemv, which runs a slow generic path on this AMD
    # CPU (20 % of a batch-8 step). HF's eager form (scores rounded to bfloat16) changed greedy tokens
    # against the float32 reference on a generated model; values stay in the compute dtype (a float32 copy
    # would add twice their gathered size to a long context's transient memory, for no speed)
    count = torch.size(q, 0)
    group = torch.floordiv(self.num_heads, self.num_kv_heads)
    pairs = self.num_kv_heads * count
    # pool: one layer's [2, K, S, d]; its blocks of the decode tables, keys then values
    seen = torch.index_select(torch.view(pool, [-1, self.block_size * self.head_dim]), 0, rows)  # [2 K D width, bs d]
    seen = torch.view(seen, [2, pairs, -1, self.head_dim])                      # [2, K D, L, d]
    k = torch.to(torch.select(seen, 0, 0), 6)                                   # [K D, L, d] float32
    v = torch.select(seen, 0, 1)                                                # [K D, L, d]
    queries = torch.permute(torch.view(torch.to(q, 6), [count, self.num_kv_heads, group, self.head_dim]), [1, 0, 2, 3])
    queries = torch.reshape(queries, [pairs, group, self.head_dim])             # [K D, G, d] float32
    scale = torch.div(1.0, torch.sqrt(float(self.head_dim)))
    scores = torch.baddbmm(mask, queries, torch.transpose(k, 1, 2), beta=1, alpha=scale)  # [K D, G, L]
    weights = torch.exp_(torch.sub(scores, torch.amax(scores, [-1], True)))    # [K D, G, L], 1 at each row's top
    total = torch.sum(weights, [-1], True)                                      # [K D, G, 1]
    weighted = torch.bmm(torch.to(weights, self.dtype), v)                      # [K D, G, d], summed in float32
    out = torch.to(torch.div(torch.to(weighted, 6), total), self.dtype)        # [K D, G, d]
    out = torch.permute(torch.view(out, [self.num_kv_heads, count, group, self.head_dim]), [1, 0, 2, 3])  # [D, K, G, d]
    return torch.reshape(out, [count, self.num_heads * self.head_dim])          # [D, H d]

  def row_block(self: __torch__.Step, rows: int, length: int) -> int:
    # Query rows per block of a chunk's attention over `length` keys: at most 2^23 scores, the rows split
    # evenly (a remainder block of a few rows multiplies as slowly as a full one). At 2 threads blocks of
    # 2^23 scores took 0.88-0.91x the time of 2^21 (a 512-token chunk at 8k-16k): each product's threads
    # repack the whole keys or values block for their share of rows, so more rows per block pay that once
    # for more work; at 1 thread they cost the same (benchmarks/results/step-perf.md)
    pieces = max(1, torch.floordiv(rows * length + 8388607, 8388608))
    return max(16, torch.floordiv(rows + pieces - 1, pieces))

  def heads_at_once(self: __torch__.Step, rows: int, length: int) -> bool:
    # Whether a chunk's attention takes all KV heads in one batch (bmm): when their scores fit 2^22. A
    # 128-token prompt's attention is ~1,100 small ops per step head by head; batched, its prefill took
    # 0.83x the time at 2 threads and 0.95x at 1 (a 512-token chunk at 0: 0.94x / 0.99x, the same logits).
    # Bigger batches were slower than head by head (1.36x for a 512-token chunk at 512, 2^22.6 scores)
    return torch.le(self.num_kv_heads * rows * length, 4194304)

  def chunk_scratch(self: __torch__.Step, starts: List[int], lengths: List[int], dev: Device) -> Tensor:
    # One scores buffer for all of a step's chunks and layers, big enough for the largest row block:
    # allocated per layer, a 16 MB buffer was faulted in again each time (1.18x the chunk's time at 16k)
    size = 0
    group = torch.floordiv(self.num_heads, self.num_kv_heads)
    for c in range(torch.len(lengths)):
      length = starts[c] + lengths[c]
      rows = group * lengths[c]
      if self.heads_at_once(rows, length):
        size = max(size, self.num_kv_heads * rows * length)
      else:
        size = max(size, self.row_block(rows, length) * length)
    return torch.empty([size], dtype=self.dtype, device=dev)

  def attend_chunk(self: __torch__.Step, q: Tensor, keys: Tensor, values: Tensor, blocks: Tensor, run: int, start: int, own_mask: Tensor, scratch: Tensor) -> Tensor:
    # Grouped-query attention of one chunk's n tokens over its sequence's first L = start + n positions,
    # causal, as HF's eager attention computes it: per KV head, scores = q k^T / sqrt(d) in the compute dtype,
    # the causal mask added to the chunk's own keys, softmax (in float32 inside), times v.
    # On the CPU this took 0.3x the time of scaled_dot_product_attention's masked flash kernel for a
    # 512-token chunk after 15,872 tokens, 0.8x at 512 tokens from 0, the same at 128: the kernel ran
    # bfloat16 at ~50 GFLOP/s, the two products here at ~200 (benchmarks/results/step-perf.md).
    # run: the sequence's first pool block when its blocks follow one another (see run_start), else -1;
    # scratch: room for the chunk's scores block (chunk_scratch)
    n = torch.size(q, 0)
    length = start + n
    group = torch.floordiv(self.num_heads, self.num_kv_heads)
    if torch.ge(run, 0):
      # the sequence's blocks are consecutive in the pool: its keys are a view, nothing is copied
      k = torch.narrow(keys, 1, run * self.block_size, length)                   # [K, L, d]
      v = torch.narrow(values, 1, run * self.block_size, length)                 # [K, L, d]
    else:
      k = torch.slice(torch.reshape(self.gather(keys, blocks), [self.num_kv_heads, -1, self.head_dim]), 1, 0, length)    # [K, L, d]
      v = torch.slice(torch.reshape(self.gather(values, blocks), [self.num_kv_heads, -1, self.head_dim]), 1, 0, length)  # [K, L, d]
    scaled = torch.mul(q, torch.div(1.0, torch.sqrt(float(self.head_dim))))   # [n, H d]
    queries = torch.permute(torch.view(scaled, [n, self.num_kv_heads, group, self.head_dim]), [1, 0, 2, 3])  # [K, n, G, d]
    queries = torch.reshape(queries, [self.num_kv_heads, n * group, self.head_dim])                       # [K, n G, d]
    # Query rows (token-major: row r is token r // G) in blocks (row_block), their scores written into the
    # step's scratch buffer, reused by every block, head and layer: unblocked, a 16k-key chunk's [n, L] scores
    # and their softmax were allocated and faulted in afresh for every head and ran no faster than the flash
    # kernel; in blocks of 2^18 scores the products were too small; fresh blocks faulted pages in again.
    # Softmax runs in place (ATen's CPU kernel reads a row into a float32 buffer before it writes the row):
    # one buffer instead of two, 0.93x the chunk's time at 2 threads, the same logits.
    # A block reads only the keys its last token may see: only its diagonal part of the chunk is masked,
    # and no product is spent on keys that every row of it masks
    rows = group * n
    if self.heads_at_once(rows, length):
      scores = torch.view(torch.narrow(scratch, 0, 0, self.num_kv_heads * rows * length), [self.num_kv_heads, rows, length])
      torch.bmm(queries, torch.transpose(k, 1, 2), out=scores)                 # [K, n G, L]
      torch.add_(torch.slice(scores, 2, start, length), own_mask)
      probs = torch._softmax(scores, -1, False, out=scores)                     # in place, as below
      out = torch.view(torch.bmm(probs, v), [self.num_kv_heads, n, group, self.head_dim])  # [K, n, G, d]
      return torch.reshape(torch.permute(out, [1, 0, 2, 3]), [n, self.num_heads * self.head_dim])  # [n, H d]
    block = self.row_block(rows, length)
    heads = annotate(List[Tensor], [])
    for h in range(self.num_kv_heads):
      qh = torch.select(queries, 0, h)                                          # [n G, d]
      kh = torch.select(k, 0, h)                                                # [L, d]
      vh = torch.select(v, 0, h)                                                # [L, d]
      parts = annotate(List[Tensor], [])
      for r in range(0, rows, block):
        e = min(rows, r + block)
        seen = torch.floordiv(e - 1, group) + 1                                 # the chunk's tokens the block sees
        visible = start + seen
        scores = torch.view(torch.narrow(scratch, 0, 0, (e - r) * visible), [e - r, visible])  # [b, visible]
        torch.mm(torch.slice(qh, 0, r, e), torch.t(torch.slice(kh, 0, 0, visible)), out=scores)
        torch.add_(torch.slice(scores, 1, start, visible), torch.slice(torch.slice(own_mask, 0, r, e), 1, 0, seen))
        probs = torch._softmax(scores, -1, False, out=scores)                   # [b, visible], in place
        parts.append(torch.mm(probs, torch.slice(vh, 0, 0, visible)))          # [b, d]
      heads.append(torch.cat(parts, 0))
    out = torch.view(torch.stack(heads, 0), [self.num_kv_heads, n, group, self.head_dim])  # [K, n, G, d]
    return torch.reshape(torch.permute(out, [1, 0, 2, 3]), [n, self.num_heads * self.head_dim])  # [n, H d]

  def load_weight(self: __torch__.Step, raw: Tensor, stored: int) -> Tensor:
    # A checkpoint tensor in the compute dtype on the device, as a copy (raw may alias the mapped file);
    # bfloat16 bytes arrive in a float16 carrier (DJL's arrays have no bfloat16) and are reinterpreted
    w = raw
    if torch.ne(ops.prim.dtype(raw), stored):
      w = torch.set_(torch.empty([0], dtype=stored, device=ops.prim.device(raw)), raw, 0, torch.size(raw), torch.stride(raw))
    return torch.to(w, torch.device(self.device), self.dtype, False, True)

  def load_layer(self: __torch__.Step, tensors: List[Tensor], stored: int) -> List[Tensor]:
    # tensors: input_layernorm, q, k, v, o, post_attention_layernorm, gate, up, down (HF [out, in])
    qkv = torch.cat([tensors[1], tensors[2], tensors[3]], 0)                    # [(H + 2K) d, hidden]
    gate_up = torch.cat([tensors[6], tensors[7]], 0)                            # [2 ffn, hidden]
    return [self.load_weight(tensors[0], stored), self.pack(self.load_weight(qkv, stored)),
            self.pack(self.load_weight(tensors[4], stored)), self.load_weight(tensors[5], stored),
            self.pack(self.load_weight(gate_up, stored)), self.pack(self.load_weight(tensors[8], stored))]

  def load_model(self: __torch__.Step, embed: Tensor, norm: Tensor, head: Tensor, inv_freq: Tensor, stored: int) -> List[Tensor]:
    # embed_tokens, norm, lm_head (the embeddings again when tied), inv_freq stays float32
    return [self.load_weight(embed, stored), self.load_weight(norm, stored),
            self.pack(self.load_weight(head, stored)),
            torch.to(inv_freq, torch.device(self.device), 6, False, True)]

  def allocate_kv(self: __torch__.Step, blocks: int) -> Tensor:
    # The block pool, zeroed: [layers, keys | values, K, blocks * block_size, d] in the compute dtype
    return torch.zeros([self.num_layers, 2, self.num_kv_heads, blocks * self.block_size, self.head_dim],
                       dtype=self.dtype, device=torch.device(self.device))
