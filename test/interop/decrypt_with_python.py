"""Decrypts Sealpost sections with the stock Python AWS Encryption SDK (aws-encryption-sdk from PyPI).

Input (stdin, JSON): {"mode": "raw", "key_name": "support", "key_b64": "...", "messages": ["<base64 ESDK message>", ...]}
                  or {"mode": "kms", "key_arn": "arn:aws:kms:...", "messages": [...]}
  (kms mode takes the endpoint and credentials from the standard AWS_* environment, e.g. AWS_ENDPOINT_URL_KMS).
Output (stdout, JSON): {"sdk": "<version>", "results": [{"plaintext": "...", "context": {...}} | {"error": "..."}]}
"""
import base64
import json
import sys

import aws_encryption_sdk
from aws_encryption_sdk import CommitmentPolicy
from aws_encryption_sdk.identifiers import EncryptionKeyType, WrappingAlgorithm
from aws_encryption_sdk.internal.crypto.wrapping_keys import WrappingKey
from aws_encryption_sdk.key_providers.raw import RawMasterKey


def main() -> None:
    req = json.load(sys.stdin)
    client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    if req["mode"] == "raw":
        provider = RawMasterKey(
            provider_id="sealpost",
            key_id=req["key_name"].encode("utf-8"),
            wrapping_key=WrappingKey(
                wrapping_algorithm=WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING,
                wrapping_key=base64.b64decode(req["key_b64"]),
                wrapping_key_type=EncryptionKeyType.SYMMETRIC,
            ),
        )
    else:
        provider = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(key_ids=[req["key_arn"]])
    results = []
    for message in req["messages"]:
        try:
            plaintext, header = client.decrypt(source=base64.b64decode(message), key_provider=provider)
            results.append({
                "plaintext": plaintext.decode("utf-8"),
                "context": dict(header.encryption_context),
                "algorithm": header.algorithm.algorithm_id,
            })
        except Exception as err:  # report, the Node side asserts
            results.append({"error": f"{type(err).__name__}: {err}"})
    json.dump({"sdk": aws_encryption_sdk.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
