import { describe, expect, it } from "vitest";
import { EMPTY_SHA256, sha256Hex, signRequest, uriEncode } from "./s3-signing";

// AWS SigV4 test suite (get-vanilla, get-vanilla-query-order-key-case) and the examples in the S3
// API reference, "Signature Calculations for the Authorization Header".
const SUITE = { credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" }, region: "us-east-1", service: "service", now: new Date("2015-08-30T12:36:00Z") };
const S3 = { credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" }, region: "us-east-1", now: new Date("2013-05-24T00:00:00Z") };

describe("SigV4 signing", () => {
  it("reproduces the test suite's get-vanilla", () => {
    const h = signRequest({ ...SUITE, method: "GET", url: new URL("https://example.amazonaws.com/"), headers: {}, payloadHash: EMPTY_SHA256 });
    expect(h["x-amz-date"]).toBe("20150830T123600Z");
    expect(h.authorization).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    );
  });

  it("sorts the query as in get-vanilla-query-order-key-case", () => {
    const h = signRequest({ ...SUITE, method: "GET", url: new URL("https://example.amazonaws.com/?Param2=value2&Param1=value1"), headers: {}, payloadHash: EMPTY_SHA256 });
    expect(h.authorization).toMatch(/Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500$/);
  });

  it("reproduces S3's GET Object example (ranged)", () => {
    const h = signRequest({ ...S3, method: "GET", url: new URL("https://examplebucket.s3.amazonaws.com/test.txt"), headers: { Range: "bytes=0-9", "x-amz-content-sha256": EMPTY_SHA256 }, payloadHash: EMPTY_SHA256 });
    expect(h.authorization).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    );
    expect(h.range).toBe("bytes=0-9");
    expect(h.host).toBeUndefined();
  });

  it("reproduces S3's PUT Object example (encoded key, body hash)", () => {
    const payloadHash = sha256Hex("Welcome to Amazon S3.");
    expect(payloadHash).toBe("44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    const h = signRequest({
      ...S3,
      method: "PUT",
      url: new URL("https://examplebucket.s3.amazonaws.com/test$file.text"),
      headers: { Date: "Fri, 24 May 2013 00:00:00 GMT", "x-amz-storage-class": "REDUCED_REDUNDANCY", "x-amz-content-sha256": payloadHash },
      payloadHash,
    });
    expect(h.authorization).toMatch(/SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd$/);
  });

  it("reproduces S3's GET Bucket (List Objects) example", () => {
    const h = signRequest({ ...S3, method: "GET", url: new URL("https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J"), headers: { "x-amz-content-sha256": EMPTY_SHA256 }, payloadHash: EMPTY_SHA256 });
    expect(h.authorization).toMatch(/Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7$/);
  });

  it("encodes like S3", () => {
    expect(uriEncode("a b/ü~.txt", true)).toBe("a%20b/%C3%BC~.txt");
    expect(uriEncode("a/b=c", false)).toBe("a%2Fb%3Dc");
  });
});
