// Oracle for test/infra/kafkajs-one-pass.test.ts: kafkajs 2.2.4's src/protocol/recordBatch/crc32C/index.js (the table-driven CRC it wraps is unpatched), copied verbatim from the npm package
// (only require paths changed), since patches/kafkajs+2.2.4.patch replaces it on the produce path.
// kafkajs: MIT License, Copyright (c) 2018 Túlio Ornelas (ornelas.tulio@gmail.com)

const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C')
const unsigned = value => Uint32Array.from([value])[0]

module.exports = buffer => unsigned(crc32C(buffer))
