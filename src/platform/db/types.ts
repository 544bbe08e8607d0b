// Column types drizzle does not ship. `bytea` holds file contents: node-postgres reads it as a
// Buffer and PGlite as a Uint8Array, so both come back as a Buffer.
import { customType } from 'drizzle-orm/pg-core';

export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => value,
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)),
});
