using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ShopJot.Accounts;
using ShopJot.Common;
using ShopJot.Contracts;
using ShopJot.Orders;

namespace ShopJot;

/// <summary>
/// The scripted part: creates three accounts, renames one, deletes one, places orders, and checks that the final
/// state arrived on both sides. Every call goes through the services' HTTP APIs.
/// </summary>
internal sealed class Scenario(HttpClient http, Uri accounts, Uri orders, Arrivals arrivals, Output output)
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// <summary>Runs the scenario; false when the final state differs from the expected one (printed).</summary>
    public async Task<bool> RunAsync(CancellationToken cancellationToken)
    {
        output.Line("1. Accounts are created in the accounts service; the orders service receives them.");
        var ada = await CreateAccountAsync("Ada Lovelace", "ada@example.com", cancellationToken);
        var grace = await CreateAccountAsync("Grace Hopper", null, cancellationToken);
        var alan = await CreateAccountAsync("Alan Turing", "alan@example.com", cancellationToken);
        await WhenAll(cancellationToken, ada.Arrived, grace.Arrived, alan.Arrived);

        output.Line("2. One account is renamed and one is deleted.");
        var renamed = await CallAsync(accounts, HttpMethod.Put, $"accounts/{grace.Id}", new AccountInput("Grace Brewster Hopper", null),
            c => c.Table == "known_accounts" && c.Operation == "UPDATE" && c.Long("id") == grace.Id, $"orders to receive the rename of account #{grace.Id}", cancellationToken);
        var deleted = await CallAsync(accounts, HttpMethod.Delete, $"accounts/{alan.Id}", null,
            c => c.Table == "known_accounts" && c.Operation == "DELETE" && c.Long("id") == alan.Id, $"orders to receive the deletion of account #{alan.Id}", cancellationToken);
        await WhenAll(cancellationToken, renamed, deleted);

        output.Line("3. Orders are placed in the orders service (it checks accounts locally); the accounts service receives them.");
        var placed = new List<(Order Order, Task<TimeSpan> Arrived)>();
        foreach (var (account, total) in new[] { (ada.Id, 42.00m), (ada.Id, 17.50m), (grace.Id, 99.90m) })
        {
            placed.Add(await PlaceOrderAsync(account, total, cancellationToken));
        }

        using (var refused = await http.PostAsJsonAsync(new Uri(orders, "orders"), new OrderInput(alan.Id, 5m), s_json, cancellationToken))
        {
            var reason = await refused.Content.ReadAsStringAsync(cancellationToken);
            output.Line($"   orders   POST /orders for deleted account #{alan.Id} -> {(int)refused.StatusCode} {reason}");
            if (refused.StatusCode != HttpStatusCode.Conflict)
            {
                output.Line($"ShopJot: expected 409 for an order of a deleted account, got {(int)refused.StatusCode}.");
                return false;
            }
        }

        await WhenAll(cancellationToken, [.. placed.Select(p => p.Arrived)]);

        output.Line("4. The final state, as each service reports it on GET /received:");
        var known = await http.GetFromJsonAsync<ReceivedAccounts>(new Uri(orders, "received"), s_json, cancellationToken);
        var received = await http.GetFromJsonAsync<ReceivedOrders>(new Uri(accounts, "received"), s_json, cancellationToken);
        var ours = new HashSet<long> { ada.Id, grace.Id, alan.Id };
        var knownHere = known!.Accounts.Where(a => ours.Contains(a.Id)).ToList();
        var ordersHere = received!.Orders.Where(o => placed.Any(p => p.Order.Id == o.OrderId)).ToList();
        output.Line($"   orders knows: {string.Join(", ", knownHere.Select(a => $"#{a.Id} {a.Name}"))}");
        output.Line($"   accounts knows: {string.Join(", ", ordersHere.Select(o => string.Create(CultureInfo.InvariantCulture, $"order #{o.OrderId} of #{o.AccountId} ({o.Total})")))}");

        var expectedAccounts = new[] { new KnownAccount(ada.Id, "Ada Lovelace"), new KnownAccount(grace.Id, "Grace Brewster Hopper") };
        var expectedOrders = placed.Select(p => new ReceivedOrder(p.Order.Id, p.Order.AccountId, p.Order.Total)).ToList();
        if (!knownHere.SequenceEqual(expectedAccounts) || !ordersHere.SequenceEqual(expectedOrders))
        {
            output.Line("ShopJot: the final state differs from the expected one: "
                + $"accounts [{string.Join(", ", expectedAccounts.Select(a => $"#{a.Id} {a.Name}"))}], "
                + $"orders [{string.Join(", ", expectedOrders.Select(o => $"#{o.OrderId}"))}].");
            return false;
        }

        return true;
    }

    private async Task<(long Id, Task<TimeSpan> Arrived)> CreateAccountAsync(string name, string? email, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await http.PostAsJsonAsync(new Uri(accounts, "accounts"), new AccountInput(name, email), s_json, cancellationToken);
        response.EnsureSuccessStatusCode();
        var account = (await response.Content.ReadFromJsonAsync<Account>(s_json, cancellationToken))!;
        output.Line($"   accounts POST /accounts {name} -> #{account.Id}");
        var arrived = arrivals.Expect($"orders to receive account #{account.Id}", start,
            c => c.Table == "known_accounts" && c.Operation == "INSERT" && c.Long("id") == account.Id);
        return (account.Id, arrived);
    }

    private async Task<(Order Order, Task<TimeSpan> Arrived)> PlaceOrderAsync(long accountId, decimal total, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await http.PostAsJsonAsync(new Uri(orders, "orders"), new OrderInput(accountId, total), s_json, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /orders for account #{accountId} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        var order = (await response.Content.ReadFromJsonAsync<Order>(s_json, cancellationToken))!;
        output.Line(string.Create(CultureInfo.InvariantCulture, $"   orders   POST /orders {total} for account #{accountId} -> order #{order.Id}"));
        var arrived = arrivals.Expect($"accounts to receive order #{order.Id}", start,
            c => c.Table == "account_orders" && c.Operation == "INSERT" && c.Long("order_id") == order.Id);
        return (order, arrived);
    }

    private async Task<Task<TimeSpan>> CallAsync(Uri service, HttpMethod method, string path, object? body, Func<ReceivedChange, bool> match, string description, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(method, new Uri(service, path));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: s_json);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        output.Line($"   accounts {method} /{path} -> {(int)response.StatusCode}");
        return arrivals.Expect(description, start, match);
    }

    private static Task WhenAll(CancellationToken cancellationToken, params Task<TimeSpan>[] arrivals)
        => Task.WhenAll(arrivals).WaitAsync(cancellationToken);

    private sealed record ReceivedAccounts(List<KnownAccount> Accounts);

    private sealed record ReceivedOrders(List<ReceivedOrder> Orders);
}
