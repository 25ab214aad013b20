import { expect } from 'chai';
import path from 'node:path';
import { ConfigError } from '../../functions/shared/errors.js';
import { modelStoreOptions } from '../../functions/shared/models/config.js';
import { projectRoot } from '../../functions/shared/project.js';

describe('models: settings from the environment', () => {
  it('defaults to the repo cache with downloads allowed', () => {
    expect(modelStoreOptions({}, {})).to.deep.equal({ cacheDir: path.join(projectRoot, '.cache/models'), allowDownload: true });
  });

  it('reads the Lambda settings', () => {
    const sha = 'C234F30975989788B4405F25253275AAE247AB6DBDD34AAA69AB0A59FF76F6D0';
    expect(
      modelStoreOptions(
        {},
        {
          MODEL_NAME: 'resnet50-v1-12-int8',
          MODEL_CACHE_DIR: '/mnt/models',
          MODEL_S3_URI: 's3://models-bucket/models/resnet50-v1-12-int8/resnet50-v1-12-int8.onnx',
          MODEL_SHA256: sha,
          MODEL_ALLOW_DOWNLOAD: 'false',
          MODEL_PATH: '',
        },
      ),
    ).to.deep.equal({
      name: 'resnet50-v1-12-int8',
      cacheDir: '/mnt/models',
      s3Uri: 's3://models-bucket/models/resnet50-v1-12-int8/resnet50-v1-12-int8.onnx',
      sha256: sha.toLowerCase(),
      allowDownload: false,
    });
  });

  it('resolves relative paths against the working directory', () => {
    const opts = modelStoreOptions({}, { MODEL_MIRROR: '../shared/models', MODEL_PATH: 'x/model.onnx' });
    expect(opts.mirrorDir).to.equal(path.resolve('../shared/models'));
    expect(opts.path).to.equal(path.resolve('x/model.onnx'));
  });

  it('names each bad variable and its expected form', () => {
    expect(() => modelStoreOptions({}, { MODEL_S3_URI: 'https://bucket/key', MODEL_ALLOW_DOWNLOAD: 'maybe', MODEL_SHA256: 'abc' }))
      .to.throw(ConfigError)
      .with.property('message')
      .that.contains('MODEL_S3_URI: expected s3://bucket/key')
      .and.contains('MODEL_ALLOW_DOWNLOAD: expected true or false')
      .and.contains('MODEL_SHA256: expected 64 hex characters');
  });

  it("puts the caller's typed values over the environment, and leaves it alone for undefined ones", () => {
    const env = { MODEL_NAME: 'resnet18-v2-7', MODEL_MIRROR: '/from/env', MODEL_CACHE_DIR: '/env/cache' };
    expect(modelStoreOptions({ name: 'mobilenetv2-12-int8', mirrorDir: 'rel/mirror' }, env)).to.include({
      name: 'mobilenetv2-12-int8',
      mirrorDir: path.resolve('rel/mirror'),
      cacheDir: '/env/cache',
    });
    expect(modelStoreOptions({ name: undefined, mirrorDir: undefined }, env)).to.include({ name: 'resnet18-v2-7', mirrorDir: '/from/env' });
  });

  it('still validates the environment when an override replaces the variable', () => {
    expect(() => modelStoreOptions({ name: 'mobilenetv2-12-int8' }, { MODEL_NAME: 'bad name!' })).to.throw(ConfigError, /MODEL_NAME/);
  });
});
