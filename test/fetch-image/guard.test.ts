import { expect } from 'chai';
import { checkAddress, literalAddress, parseHttpUrl, redactUrl } from '../../functions/fetch-image/guard.js';
import { precheck } from '../../functions/fetch-image/download.js';
import { sniffFormat, describeContent } from '../../functions/fetch-image/sniff.js';
import { sourceKind } from '../../functions/fetch-image/fetch.js';
import { FetchBlocked, InvalidInput } from '../../functions/shared/errors.js';

const none = { allowHosts: [], allowCidrs: [] };
const blocked = (fn: () => unknown) => expect(fn).to.throw(FetchBlocked);

describe('fetch-image/guard (pure)', () => {
  it('refuses private, loopback, link-local, metadata, unique-local, multicast and unspecified addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '0.0.0.0',
      '100.64.0.1',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:169.254.169.254',
      'fd00:ec2::254',
    ]) {
      blocked(() => checkAddress(a, a, none));
    }
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111']) expect(() => checkAddress(a, a, none)).not.to.throw();
  });

  it('reads the integer, hex and octal IPv4 spellings as the addresses they are, without DNS', () => {
    for (const raw of [
      'http://2130706433/x.jpg',
      'http://0x7f000001/x.jpg',
      'http://0x7f.1/x.jpg',
      'http://0177.0.0.1/x.jpg',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/x.jpg',
      'http://[::ffff:a9fe:a9fe]/',
      'http://0/x.jpg',
      // IPv4-compatible IPv6 (::/96): the URL parser turns these into ::7f00:1 and ::a9fe:a9fe
      'http://[::127.0.0.1]/x.jpg',
      'http://[::169.254.169.254]/latest/meta-data/',
      'http://[::8.8.8.8]/x.jpg',
    ]) {
      const url = parseHttpUrl(raw);
      expect(literalAddress(url), raw).to.be.a('string');
      blocked(() => precheck(url, none));
    }
  });

  it('allow-lists hosts and CIDR ranges explicitly', () => {
    expect(() => precheck(parseHttpUrl('http://127.0.0.1:8080/a.jpg'), { allowHosts: ['127.0.0.1'], allowCidrs: [] })).not.to.throw();
    blocked(() => precheck(parseHttpUrl('http://127.0.0.2:8080/a.jpg'), { allowHosts: ['127.0.0.1'], allowCidrs: [] }));
    expect(() => checkAddress('10.1.2.3', 'cdn.internal', { allowHosts: [], allowCidrs: ['10.1.0.0/16'] })).not.to.throw();
    blocked(() => checkAddress('10.2.0.1', 'cdn.internal', { allowHosts: [], allowCidrs: ['10.1.0.0/16'] }));
  });

  it('refuses other schemes and credentials in URLs, and never echoes secrets', () => {
    blocked(() => parseHttpUrl('ftp://example.com/a.jpg'));
    blocked(() => sourceKind('javascript:alert(1)'));
    blocked(() => sourceKind('ftp://example.com/a.jpg'));
    blocked(() => sourceKind('data:image/png;base64,AAAA'));
    expect(() => parseHttpUrl('not a url')).to.throw(InvalidInput);
    try {
      parseHttpUrl('https://user:hunter2@example.com/a.jpg');
      expect.fail('expected FetchBlocked');
    } catch (err) {
      expect(err).to.be.instanceOf(FetchBlocked);
      expect(JSON.stringify(err) + (err as Error).message).not.to.contain('hunter2');
    }
    expect(redactUrl('https://example.com/a.jpg?token=secret#x')).to.equal('https://example.com/a.jpg');
    expect(sourceKind('./photo.jpg')).to.equal('file');
    expect(sourceKind('file:///tmp/a.jpg')).to.equal('file');
    expect(sourceKind('s3://bucket/key.jpg')).to.equal('s3');
  });
});

describe('fetch-image/sniff (pure)', () => {
  it('recognises each format by its magic bytes and names what is not an image', () => {
    const ftyp = (brand: string, compat = 'mif1') =>
      Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from(`ftyp${brand}\0\0\0\0${compat}${brand}`, 'latin1')]);
    expect(sniffFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).to.equal('jpeg');
    expect(sniffFormat(Buffer.from('89504e470d0a1a0a0000', 'hex'))).to.equal('png');
    expect(sniffFormat(Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1'))).to.equal('webp');
    expect(sniffFormat(Buffer.from('GIF89a\x01\x00', 'latin1'))).to.equal('gif');
    expect(sniffFormat(Buffer.from([0x49, 0x49, 0x2a, 0, 8, 0]))).to.equal('tiff');
    expect(sniffFormat(Buffer.from([0x4d, 0x4d, 0, 0x2a, 0, 8]))).to.equal('tiff');
    expect(sniffFormat(ftyp('avif'))).to.equal('avif');
    expect(sniffFormat(ftyp('heic'))).to.equal('heif');
    expect(sniffFormat(ftyp('isom', 'mp41'))).to.equal(undefined);
    expect(sniffFormat(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).to.equal(undefined);
    expect(describeContent(Buffer.from('<!DOCTYPE html><html>'))).to.match(/HTML/);
    expect(describeContent(Buffer.from('<?xml version="1.0"?><svg/>'))).to.match(/SVG/);
  });
});

describe('fetch-image/config', () => {
  it('reads limits and allow-lists from the environment and never allows local files in the Lambda', async () => {
    const { fetchConfigFromEnv } = await import('../../functions/fetch-image/config.js');
    const { ConfigError } = await import('../../functions/shared/errors.js');
    const cfg = fetchConfigFromEnv({ FETCH_MAX_BYTES: '1000', FETCH_ALLOW_HOSTS: 'cdn.internal, 127.0.0.1', FETCH_ALLOW_CIDRS: '10.1.0.0/16' });
    expect(cfg).to.include({ maxBytes: 1000, maxRedirects: 3, allowLocalFiles: false });
    expect(cfg.allowHosts).to.deep.equal(['cdn.internal', '127.0.0.1']);
    expect(() => fetchConfigFromEnv({ FETCH_TIMEOUT_MS: 'soon' })).to.throw(ConfigError, /FETCH_TIMEOUT_MS/);
    expect(() => fetchConfigFromEnv({ FETCH_ALLOW_CIDRS: '10.1.0.0/99' })).to.throw(ConfigError, /FETCH_ALLOW_CIDRS/);
  });
});
