import { addressRefusal, checkWebhookUrl, guardedLookup } from './url-guard';

const production = { production: true };
const development = { production: false };

describe('the SSRF guard', () => {
  it('takes only https in production, and http://127.0.0.1 outside it', () => {
    expect(() => checkWebhookUrl('http://erp.example.com/hooks', production)).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_URL_NOT_HTTPS' }),
    );
    expect(checkWebhookUrl('https://erp.example.com/hooks', production).href).toBe('https://erp.example.com/hooks');
    expect(checkWebhookUrl('http://127.0.0.1:4000/hooks', development).href).toBe('http://127.0.0.1:4000/hooks');
    expect(() => checkWebhookUrl('https://127.0.0.1/hooks', production)).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_ADDRESS_REFUSED' }),
    );
    expect(() => checkWebhookUrl('ftp://erp.example.com/', development)).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_URL_INVALID' }),
    );
    expect(() => checkWebhookUrl('https://user:pw@erp.example.com/', production)).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_URL_INVALID' }),
    );
  });

  it('refuses loopback, link-local, private, metadata and reserved addresses, however written', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.100.100.200',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fd00:ec2::254',
      '::ffff:169.254.169.254',
      '::ffff:10.0.0.1',
    ]) {
      expect({ address, refused: addressRefusal(address, production) !== undefined }).toEqual({
        address,
        refused: true,
      });
    }
    for (const address of ['10.1.2.3', '169.254.169.254', 'fe80::1']) {
      expect({ address, refused: addressRefusal(address, development) !== undefined }).toEqual({
        address,
        refused: true,
      });
    }
    expect(addressRefusal('127.0.0.1', development)).toBeUndefined();
    expect(addressRefusal('93.184.215.14', production)).toBeUndefined();
    expect(() => checkWebhookUrl('https://[::ffff:a9fe:a9fe]/', production)).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_ADDRESS_REFUSED' }),
    );
    expect(() => checkWebhookUrl('https://metadata.google.internal/', production)).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_ADDRESS_REFUSED' }),
    );
  });

  it('refuses, after DNS resolution, a name that resolves to loopback in production', async () => {
    const lookup = guardedLookup(production);
    const error = await new Promise<Error | null>((resolve) => lookup('localhost', {}, (failure) => resolve(failure)));
    expect(error).toMatchObject({ name: 'WebhookUrlRefused', code: 'EREFUSED' });
    const allowed = await new Promise<Error | null>((resolve) =>
      guardedLookup(development)('localhost', { family: 4 }, (failure) => resolve(failure)),
    );
    expect(allowed).toBeNull();
  });
});
