// Thrift's compact protocol, the little of it Parquet's page headers and footer need: a writer of
// structs with i32, i64, bool, binary, list and struct fields. Field ids must be written in increasing
// order within a struct (Parquet's readers do not require it, but the compact protocol's deltas do).

const T_TRUE = 1;
const T_FALSE = 2;
const T_I32 = 5;
const T_I64 = 6;
const T_BINARY = 8;
const T_LIST = 9;
const T_STRUCT = 12;

export type ListOf = { type: 'i32'; values: readonly number[] } | { type: 'string'; values: readonly string[] } | { type: 'struct'; values: ReadonlyArray<(w: ThriftWriter) => void> };

export class ThriftWriter {
  #buf = Buffer.allocUnsafe(256);
  #length = 0;
  #lastField: number[] = [0];

  #reserve(n: number): void {
    if (this.#length + n <= this.#buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#length + n));
    this.#buf.copy(grown, 0, 0, this.#length);
    this.#buf = grown;
  }

  #byte(b: number): void {
    this.#reserve(1);
    this.#buf[this.#length++] = b;
  }

  /** Unsigned varint of a non-negative integer below 2^53 (Number arithmetic: offsets and sizes exceed 32 bits). */
  #varint(n: number): void {
    while (n >= 0x80) {
      this.#byte((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.#byte(n);
  }

  #zigzag(n: number): void {
    this.#varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  #field(id: number, type: number): void {
    const last = this.#lastField[this.#lastField.length - 1]!;
    const delta = id - last;
    if (delta > 0 && delta <= 15) this.#byte((delta << 4) | type);
    else {
      this.#byte(type);
      this.#zigzag(id);
    }
    this.#lastField[this.#lastField.length - 1] = id;
  }

  #bytes(bytes: Uint8Array): void {
    this.#varint(bytes.length);
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  i32(id: number, value: number): this {
    this.#field(id, T_I32);
    this.#zigzag(value);
    return this;
  }

  i64(id: number, value: number): this {
    this.#field(id, T_I64);
    this.#zigzag(value);
    return this;
  }

  bool(id: number, value: boolean): this {
    this.#field(id, value ? T_TRUE : T_FALSE);
    return this;
  }

  string(id: number, value: string): this {
    this.#field(id, T_BINARY);
    this.#bytes(Buffer.from(value, 'utf8'));
    return this;
  }

  struct(id: number, body: (w: ThriftWriter) => void): this {
    this.#field(id, T_STRUCT);
    this.#structBody(body);
    return this;
  }

  #structBody(body: (w: ThriftWriter) => void): void {
    this.#lastField.push(0);
    body(this);
    this.#byte(0);
    this.#lastField.pop();
  }

  list(id: number, list: ListOf): this {
    this.#field(id, T_LIST);
    const type = list.type === 'i32' ? T_I32 : list.type === 'string' ? T_BINARY : T_STRUCT;
    const size = list.values.length;
    if (size < 15) this.#byte((size << 4) | type);
    else {
      this.#byte(0xf0 | type);
      this.#varint(size);
    }
    if (list.type === 'i32') for (const v of list.values) this.#zigzag(v);
    else if (list.type === 'string') for (const v of list.values) this.#bytes(Buffer.from(v, 'utf8'));
    else for (const v of list.values) this.#structBody(v);
    return this;
  }

  /** The bytes of a top-level struct: `body` writes its fields. */
  static struct(body: (w: ThriftWriter) => void): Buffer {
    const w = new ThriftWriter();
    w.#structBody(body);
    return w.#buf.subarray(0, w.#length);
  }
}
