using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Webhooks;

/// <summary>
/// How deliveries are signed: <c>X-Portal-Signature: sha256=</c> the hex HMAC-SHA256 of the timestamp, a dot and the body,
/// with the webhook's secret, and <c>X-Portal-Timestamp</c> (Unix seconds) so a receiver can refuse old replays.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "X-Portal-Signature", TimestampHeader = "X-Portal-Timestamp", EventHeader = "X-Portal-Event",
        DeliveryHeader = "X-Portal-Delivery";

    public static string Sign(string secret, long timestamp, byte[] body)
    {
        var signed = Encoding.UTF8.GetBytes($"{timestamp}.").Concat(body).ToArray();
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }
}
