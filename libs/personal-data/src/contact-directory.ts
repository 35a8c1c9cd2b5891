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

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS customer_contacts (
    customer_id uuid PRIMARY KEY,
    partner_id  text NOT NULL,
    name        text NOT NULL,
    email       text NOT NULL,
    phone       text,
    updated_at  timestamptz NOT NULL
  )`;

/**
 * Personal data lives here, in PostgreSQL, and nowhere else: events only say
 * that a contact was recorded or erased. Erasure is a DELETE; the event log,
 * which cannot forget, never held the data.
 */
@Injectable()
export class ContactDirectory implements OnApplicationShutdown {
  private schemaReady: Promise<unknown> | undefined;

  constructor(private readonly pool: SqlClient) {}

  async put(customerId: string, partnerId: string, contact: Contact, at: string): Promise<StoredContact> {
    await this.ready();
    await this.pool.query(
      `INSERT INTO customer_contacts (customer_id, partner_id, name, email, phone, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (customer_id) DO UPDATE SET name = $3, email = $4, phone = $5, updated_at = $6 WHERE customer_contacts.partner_id = $2`,
      [customerId, partnerId, contact.name, contact.email, contact.phone ?? null, at],
    );
    return { customerId, ...contact, updatedAt: at };
  }

  async get(customerId: string, partnerId: string): Promise<StoredContact | undefined> {
    await this.ready();
    const { rows } = await this.pool.query(`SELECT name, email, phone, updated_at FROM customer_contacts WHERE customer_id = $1 AND partner_id = $2`, [
      customerId,
      partnerId,
    ]);
    if (rows.length === 0) return undefined;
    const [row] = rows as Array<{ name: string; email: string; phone: string | null; updated_at: Date }>;
    return { customerId, name: row.name, email: row.email, ...(row.phone ? { phone: row.phone } : {}), updatedAt: row.updated_at.toISOString() };
  }

  /** Removes the customer's personal data; true when there was some. */
  async erase(customerId: string, partnerId: string): Promise<boolean> {
    await this.ready();
    const { rowCount } = await this.pool.query(`DELETE FROM customer_contacts WHERE customer_id = $1 AND partner_id = $2`, [customerId, partnerId]);
    return (rowCount ?? 0) > 0;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }

  /** The table is created on first use, so the API starts (and serves everything else) while PostgreSQL is down. */
  private ready(): Promise<unknown> {
    this.schemaReady ??= this.pool.query(SCHEMA).catch((error: Error) => {
      this.schemaReady = undefined;
      throw error;
    });
    return this.schemaReady;
  }
}
