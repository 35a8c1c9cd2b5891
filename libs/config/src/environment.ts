import 'reflect-metadata';
import { isIP } from 'node:net';
import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  validateSync,
  ValidateBy,
} from 'class-validator';

/** `true` or `false`, unset or empty meaning false; anything else stays a string and is refused, not read as false. */
const flag = ({ value }: { value: unknown }) =>
  value === undefined || value === '' || value === 'false' ? false : value === 'true' ? true : value;

/**
 * Every setting the deployables read, with its default. Validated once at
 * start so a typo fails fast with the variable's name instead of at first use.
 */
export class Environment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** `pretty` or `json`. Unset: pretty at a terminal outside production, JSON otherwise (a pipe, a collector, tests). */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => value || undefined)
  @IsIn(['pretty', 'json'])
  LOG_FORMAT?: 'pretty' | 'json';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  HTTP_PORT = 3000;

  /** Unset: 127.0.0.1 outside production, so demo keys and ops/ops are never reachable from the network by default; 0.0.0.0 in production. */
  @IsString()
  HTTP_HOST!: string;

  /**
   * Which proxies in front of the api to believe about the client's address
   * (X-Forwarded-For), as Fastify's trustProxy: unset or `false`, none (the
   * connection's address is the client's); or the proxies' addresses and
   * CIDR ranges. Never `true`: any client could then name its own address,
   * and the operators' door counts failures by address. Not a hop count,
   * which this Fastify takes as trusting no one (it cannot check the peer).
   */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => value || undefined)
  @ValidateBy({
    name: 'isTrustProxy',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && trustProxyOption(value) !== undefined,
      defaultMessage: () =>
        'TRUST_PROXY must be false, or the proxies’ addresses and CIDR ranges separated by commas (loopback, linklocal and uniquelocal name theirs); not true, which would believe any client’s X-Forwarded-For',
    },
  })
  TRUST_PROXY?: string;

  /** How long an Idempotency-Key's first result is kept and replayed (IETF httpapi Idempotency-Key draft). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(24 * 30)
  IDEMPOTENCY_RETENTION_HOURS = 24;

  /**
   * How long an Idempotency-Key stays held with no sign of its request: the
   * request renews it while it runs, so only one whose process died lets a
   * retry take its key over after this.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  IDEMPOTENCY_IN_FLIGHT_MS = 30_000;

  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must look like redis://host:port' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** A Redis Cluster instead of REDIS_URL: some of its nodes, `host:port,host:port`; the client finds the rest. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => value || undefined)
  @Matches(/^[\w.-]+:\d+(,[\w.-]+:\d+)*$/, { message: 'REDIS_CLUSTER_NODES must be host:port,host:port' })
  REDIS_CLUSTER_NODES?: string;

  /** Redis behind Sentinel instead of REDIS_URL: the sentinels, `host:port,host:port`, with REDIS_SENTINEL_NAME. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => value || undefined)
  @Matches(/^[\w.-]+:\d+(,[\w.-]+:\d+)*$/, { message: 'REDIS_SENTINELS must be host:port,host:port' })
  REDIS_SENTINELS?: string;

  /** The master's name the sentinels know; required with REDIS_SENTINELS. */
  @IsOptional()
  @IsString()
  REDIS_SENTINEL_NAME?: string;

  /** Prefix of every Redis key this deployment writes, so environments can share one Redis. */
  @IsString()
  @Matches(/^[\w:.-]*$/, { message: 'REDIS_KEY_PREFIX may hold letters, digits, and _ : . -' })
  REDIS_KEY_PREFIX = '';

  /** A real EventStoreDB; when unset the embedded store is started in-process (in production only with EVENTSTORE_EMBEDDED=true). */
  @IsOptional()
  @Matches(/^(esdb|kurrentdb)(\+discover)?:\/\//, { message: 'EVENTSTORE_URL must be an esdb:// connection string' })
  EVENTSTORE_URL?: string;

  /** In production, the api and worker start the embedded store (EVENTSTORE_URL unset) only when this asks for it. */
  @Transform(flag)
  @IsBoolean()
  EVENTSTORE_EMBEDDED = false;

  @IsString()
  EVENTSTORE_DATA_DIR = 'data/eventstore';

  /** Where `npm start` keeps the Redis it starts when none answers on REDIS_URL. */
  @IsString()
  REDIS_DATA_DIR = 'data/redis';

  @IsString()
  EVENTSTORE_EMBEDDED_HOST = '127.0.0.1';

  /**
   * Users of the embedded store, `name:password` pairs separated by commas
   * (a name holds no `:`, neither holds a `,`). Unset: the store is open, and
   * must listen on loopback. Set: every stream call needs one of them, over TLS.
   */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => value || undefined)
  @Matches(/^[^:,]+:[^,]+(,[^:,]+:[^,]+)*$/, {
    message: 'EVENTSTORE_EMBEDDED_USERS must be name:password pairs separated by commas',
  })
  EVENTSTORE_EMBEDDED_USERS?: string;

  /** The embedded store's TLS certificate (PEM, with its chain) and private key; required with EVENTSTORE_EMBEDDED_USERS. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => value || undefined)
  @IsString()
  EVENTSTORE_EMBEDDED_TLS_CERT_FILE?: string;

  @IsOptional()
  @Transform(({ value }: { value: unknown }) => value || undefined)
  @IsString()
  EVENTSTORE_EMBEDDED_TLS_KEY_FILE?: string;

  /** Serve delete and tombstone on the embedded store. Unset: refused (access denied), as the application never deletes. */
  @Transform(flag)
  @IsBoolean()
  EVENTSTORE_EMBEDDED_ALLOW_DELETE = false;

  /** Bytes the unfinished batches of one BatchAppend call may hold on the embedded store; at least twice the 1 MiB append limit. */
  @Type(() => Number)
  @IsInt()
  @Min(2 * 1024 * 1024)
  EVENTSTORE_EMBEDDED_BATCH_APPEND_BUFFER_BYTES = 8 * 1024 * 1024;

  /**
   * Partner API keys: "key=partnerId:clientName[:role]" pairs separated by commas;
   * role is writer (the default), reader or auditor.
   * Unset outside production: two demo partners (see README).
   */
  @IsOptional()
  @Matches(/^[^=,]+=[^:,]+:[^:,]+(:(writer|reader|auditor))?(,[^=,]+=[^:,]+:[^:,]+(:(writer|reader|auditor))?)*$/, {
    message: 'API_KEYS must be key=partnerId:clientName[:writer|reader|auditor] pairs separated by commas',
  })
  API_KEYS?: string;

  /** A JSON file: [{ "key": "...", "partnerId": "...", "client": "...", "role": "writer|reader|auditor" }], read again on SIGHUP. */
  @IsOptional()
  @IsString()
  API_KEYS_FILE?: string;

  /**
   * The deployment's Ed25519 audit key, which signs audit exports and anchor
   * lists (docs/audit.md): a PKCS#8 PEM, or the base64 of its DER. Unset
   * outside production: one is generated into AUDIT_SIGNING_KEY_FILE and kept.
   * Unset in production: the audit routes refuse to sign (500, logged).
   */
  @IsOptional()
  @IsString()
  AUDIT_SIGNING_KEY?: string;

  /** Where the generated audit key is kept outside production. */
  @IsString()
  AUDIT_SIGNING_KEY_FILE = 'data/audit-signing-key.pem';

  /** Run the projections in this process. Unset: the worker does, the api does not. */
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : value === true || value === 'true' || value === '1'))
  @IsBoolean()
  RUN_PROJECTIONS?: boolean;

  /** Credentials for /ops (queue dashboard, projection status). Unset outside production: ops / ops. */
  @IsOptional()
  @IsString()
  OPS_USERNAME?: string;

  @IsOptional()
  @IsString()
  OPS_PASSWORD?: string;

  /**
   * PostgreSQL holding customers' personal data (contacts), which is kept out
   * of the event store. Unset: an embedded PostgreSQL (PGlite) in
   * PERSONAL_DATA_DIR, for local use; required in production.
   */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => value || undefined)
  @Matches(/^postgres(ql)?:\/\//, { message: 'PERSONAL_DATA_URL must be a postgresql:// connection string' })
  PERSONAL_DATA_URL?: string;

  @IsString()
  PERSONAL_DATA_DIR = 'data/personal-data';

  /** Requests one API key may make per THROTTLE_WINDOW_MS, counted in Redis across all API replicas. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  THROTTLE_LIMIT = 1_200;

  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  THROTTLE_WINDOW_MS = 60_000;

  /** Fulfilment jobs one worker process runs at once. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(256)
  FULFILMENT_CONCURRENCY = 8;

  /** How long ingested usage is kept in Redis, by the hour it records. Redis runs with noeviction, so usage must not grow without bound. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3_650)
  USAGE_RETENTION_DAYS = 400;

  /**
   * Usage records one partner may keep stored in Redis, across its customers
   * (each is kept USAGE_RETENTION_DAYS; about 850 bytes each). Past it, POST
   * /v1/usage answers 429 USAGE_BUDGET_EXCEEDED. At least one full batch
   * (10,000 records).
   */
  @Type(() => Number)
  @IsInt()
  @Min(10_000)
  PARTNER_USAGE_RECORDS_BUDGET = 1_000_000;

  /** Idempotency-Key entries one partner may hold at once (each kept IDEMPOTENCY_RETENTION_HOURS). Past it: 429 IDEMPOTENCY_BUDGET_EXCEEDED. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  PARTNER_IDEMPOTENCY_KEYS_BUDGET = 100_000;

  /** Bytes of stored answers (replayed for a repeated Idempotency-Key) one partner may hold. Past it: 429 RESPONSE_CACHE_BUDGET_EXCEEDED. */
  @Type(() => Number)
  @IsInt()
  @Min(1_024)
  PARTNER_CACHED_RESPONSE_BYTES_BUDGET = 128 * 1024 * 1024;

  /** First retry delay of a transient failure; doubles each attempt, with jitter. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  FULFILMENT_BACKOFF_MS = 1_000;

  /** How long a job's lock lasts; a worker that dies mid-job gives it up after this. */
  @Type(() => Number)
  @IsInt()
  @Min(500)
  QUEUE_LOCK_MS = 30_000;

  /** Simulated Azure provisioning (see libs/fulfilment). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  PROVISIONING_LATENCY_MS = 20;

  @Type(() => Number)
  @Min(0)
  @Max(1)
  PROVISIONING_TRANSIENT_FAILURE_RATE = 0;

  @Type(() => Number)
  @Min(0)
  @Max(1)
  PROVISIONING_PERMANENT_FAILURE_RATE = 0;

  /** SKUs that always fail: sku=permanent|transient, comma separated. */
  @IsOptional()
  @IsString()
  PROVISIONING_FAILING_SKUS?: string;

  /** 0 lets the OS pick a free port (tests). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  EVENTSTORE_EMBEDDED_PORT = 2113;

  /**
   * The sandbox clock of a partner's integration environment: business time
   * stands still until moved forward with PUT /v1/sandbox/clock. Refused in production.
   */
  @Transform(flag)
  @IsBoolean()
  SANDBOX_CLOCK = false;

  /** Where a sandbox clock that was never moved stands at first; unset: the wall clock's time when first read. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => value || undefined)
  @IsISO8601({ strict: true })
  SANDBOX_CLOCK_START?: string;

  /**
   * Dated changes to the catalog (a JSON file: [{ "catalogItemId", "from", "unitPriceUsd" } or { "catalogItemId", "from", "withdrawn": true }]),
   * so a price or a withdrawal takes effect at its instant on the Clock.
   */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => value || undefined)
  @IsString()
  CATALOG_CHANGES_FILE?: string;
}

export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const known = Object.keys(new Environment());
  const optional = [
    'EVENTSTORE_URL',
    'API_KEYS',
    'API_KEYS_FILE',
    'AUDIT_SIGNING_KEY',
    'RUN_PROJECTIONS',
    'OPS_USERNAME',
    'OPS_PASSWORD',
    'PROVISIONING_FAILING_SKUS',
    'PERSONAL_DATA_URL',
    'REDIS_CLUSTER_NODES',
    'REDIS_SENTINELS',
    'REDIS_SENTINEL_NAME',
    'SANDBOX_CLOCK_START',
    'CATALOG_CHANGES_FILE',
    'EVENTSTORE_EMBEDDED_USERS',
    'EVENTSTORE_EMBEDDED_TLS_CERT_FILE',
    'EVENTSTORE_EMBEDDED_TLS_KEY_FILE',
    'TRUST_PROXY',
  ];
  const relevant = Object.fromEntries(
    Object.entries(raw).filter(([key, value]) => known.includes(key) || (optional.includes(key) && value)),
  );
  const environment = plainToInstance(Environment, relevant, { exposeDefaultValues: true });
  environment.HTTP_HOST ||= environment.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1';
  const errors = validateSync(environment);
  const lines = [
    ...errors.map((error) => `  ${error.property}: ${Object.values(error.constraints ?? {}).join('; ')}`),
    ...combinationErrors(environment),
  ];
  if (lines.length > 0) throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  return environment;
}

/** Rules about settings taken together, each naming the variables to set. */
function combinationErrors(env: Environment): string[] {
  const errors: string[] = [];
  if (env.NODE_ENV === 'production' && !env.PERSONAL_DATA_URL)
    errors.push(
      '  PERSONAL_DATA_URL: required in production (unset, contacts go to an embedded PostgreSQL meant for local use)',
    );
  // Real partner keys mean a real deployment: the development ops/ops must not guard its operator pages.
  if ((env.API_KEYS || env.API_KEYS_FILE) && !(env.OPS_USERNAME && env.OPS_PASSWORD)) {
    errors.push(
      '  OPS_USERNAME, OPS_PASSWORD: required when API_KEYS or API_KEYS_FILE is set (operator credentials for /ops)',
    );
  }
  if (env.REDIS_CLUSTER_NODES && env.REDIS_SENTINELS)
    errors.push('  REDIS_CLUSTER_NODES, REDIS_SENTINELS: set one of them, not both');
  // A clock anyone with a key can move has no place where money is real.
  if (env.NODE_ENV === 'production' && env.SANDBOX_CLOCK)
    errors.push('  SANDBOX_CLOCK: refused in production (the sandbox clock is for integration environments)');
  if (!env.EVENTSTORE_EMBEDDED_TLS_CERT_FILE !== !env.EVENTSTORE_EMBEDDED_TLS_KEY_FILE) {
    errors.push('  EVENTSTORE_EMBEDDED_TLS_CERT_FILE, EVENTSTORE_EMBEDDED_TLS_KEY_FILE: set both or neither');
  }
  if (env.REDIS_SENTINELS && !env.REDIS_SENTINEL_NAME)
    errors.push('  REDIS_SENTINEL_NAME: required with REDIS_SENTINELS (the master name the sentinels know)');
  return errors;
}

/** proxy-addr's names for ranges, which Fastify takes in trustProxy. */
const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY as Fastify's trustProxy: false (believe no proxy), or a list
 * of addresses, CIDR ranges and named ranges; undefined when it is neither.
 */
export function trustProxyOption(value: string | undefined): false | string[] | undefined {
  if (value === undefined || value === '' || value === 'false') return false;
  const entries = value.split(',').map((entry) => entry.trim());
  return entries.every(isProxyAddress) ? entries : undefined;
}

function isProxyAddress(entry: string): boolean {
  if (NAMED_RANGES.includes(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128));
}
