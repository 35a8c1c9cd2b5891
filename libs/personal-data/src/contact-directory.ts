import { Injectable, OnApplicationShutdown } from '@nestjs/common';

/** What the directory needs of PostgreSQL: a pg Pool, or the embedded one (embedded-postgres.ts). */
export interface SqlClient {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[]; rowCount?: number | null }>;
  end(): Promise<void>;
}

/** A customer's contact person: personal data, so never written to an event. */
export interface Contact {
  name: string;
  email: string;
  phone?: string;
}

export interface StoredContact extends Contact {
  customerId: string;
  updatedAt: string;
}

/** One statement each, so replicas starting at once cannot half-create it. An erased customer's row keeps no personal field, only erased_at. */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS customer_contacts (
    customer_id uuid PRIMARY KEY,
    partner_id  text NOT NULL,
    name        text,
    email       text,
    phone       text,
    updated_at  timestamptz NOT NULL,
    erased_at   timestamptz
  )`,
  // Tables made before erasures were kept as a marked row.
  `ALTER TABLE customer_contacts ADD COLUMN IF NOT EXISTS erased_at timestamptz, ALTER COLUMN name DROP NOT NULL, ALTER COLUMN email DROP NOT NULL`,
];
const MIGRATED = `SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'customer_contacts' AND column_name = 'erased_at'`;

/**
 * Personal data lives here, in PostgreSQL, and nowhere else: events only say
 * that a contact was recorded or erased. The event log, which cannot forget,
 * never held the data.
 *
 * An erasure empties the customer's row and marks it erased, and a contact
 * is written only into a row not so marked. Both are one statement on the
 * customer's row (INSERT … ON CONFLICT takes its lock), so PostgreSQL orders
 * them per customer, across every api replica: a contact written before the
 * erasure is erased by it, and one written after is refused.
 */
@Injectable()
export class ContactDirectory implements OnApplicationShutdown {
  private schemaReady: Promise<unknown> | undefined;

  constructor(private readonly pool: SqlClient) {}

  /** The stored contact, or 'erased' when the customer's personal data was erased: none is recorded after. */
  async put(customerId: string, partnerId: string, contact: Contact, at: string): Promise<StoredContact | 'erased'> {
    await this.ready();
    const { rows } = await this.pool.query(
      `INSERT INTO customer_contacts (customer_id, partner_id, name, email, phone, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (customer_id) DO UPDATE SET name = $3, email = $4, phone = $5, updated_at = $6
       WHERE customer_contacts.partner_id = $2 AND customer_contacts.erased_at IS NULL
       RETURNING customer_id`,
      [customerId, partnerId, contact.name, contact.email, contact.phone ?? null, at],
    );
    return rows.length === 0 ? 'erased' : { customerId, ...contact, updatedAt: at };
  }

  async get(customerId: string, partnerId: string): Promise<StoredContact | undefined> {
    await this.ready();
    const { rows } = await this.pool.query(
      `SELECT name, email, phone, updated_at FROM customer_contacts WHERE customer_id = $1 AND partner_id = $2 AND erased_at IS NULL`,
      [customerId, partnerId],
    );
    if (rows.length === 0) return undefined;
    const [row] = rows as Array<{ name: string; email: string; phone: string | null; updated_at: Date }>;
    return {
      customerId,
      name: row.name,
      email: row.email,
      ...(row.phone ? { phone: row.phone } : {}),
      updatedAt: row.updated_at.toISOString(),
    };
  }

  /** Removes the customer's personal data, and keeps its row marked erased so that no contact is written after. */
  async erase(customerId: string, partnerId: string, at: string): Promise<void> {
    await this.ready();
    await this.pool.query(
      `INSERT INTO customer_contacts (customer_id, partner_id, updated_at, erased_at) VALUES ($1, $2, $3, $3)
       ON CONFLICT (customer_id) DO UPDATE SET name = NULL, email = NULL, phone = NULL, updated_at = $3,
         erased_at = COALESCE(customer_contacts.erased_at, $3)
       WHERE customer_contacts.partner_id = $2`,
      [customerId, partnerId, at],
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }

  /** The table is created on first use, so the API starts (and serves everything else) while PostgreSQL is down. */
  private ready(): Promise<unknown> {
    this.schemaReady ??= this.migrate().catch((error: Error) => {
      this.schemaReady = undefined;
      throw error;
    });
    return this.schemaReady;
  }

  private async migrate(): Promise<void> {
    await this.pool.query(SCHEMA[0]);
    if ((await this.pool.query(MIGRATED)).rows.length === 0) await this.pool.query(SCHEMA[1]);
  }
}
