// An S3-speaking server on loopback for the portal's tests: node server.js PORT DIRECTORY BUCKET...
// s3rver checks that the access key exists (S3RVER) but does not verify V4 signatures.
'use strict';
const http = require('http');
const S3rver = require('s3rver');

const [port, directory, ...buckets] = process.argv.slice(2);
const s3 = new S3rver({ directory, silent: true, configureBuckets: buckets.map(name => ({ name })) });

// s3rver reads x-amz-copy-source with decodeURI, which leaves an encoded '/' (%2F) as it is; clients (the AWS SDKs)
// encode the whole source, so CopyObject would name a bucket "bucket%2Fkey". Real S3 takes both: hand s3rver the form it reads.
const handle = s3.callback();
const server = http.createServer((req, res) => {
  const source = req.headers['x-amz-copy-source'];
  if (source) req.headers['x-amz-copy-source'] = encodeURI(decodeURIComponent(source));
  handle(req, res);
});

s3.configureBuckets()
  .then(() => server.listen(Number(port), '127.0.0.1', () => console.log(`s3rver listening on 127.0.0.1:${port}`)))
  .catch(e => {
    console.error(e);
    process.exit(1);
  });
