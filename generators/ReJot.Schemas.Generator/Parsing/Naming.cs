using System.Text;

namespace ReJot.Schemas.Generator.Parsing;

/// <summary>Name conventions shared by the generator, the analyzers and the CLI.</summary>
internal static class Naming
{
    /// <summary>System.Text.Json's camelCase policy (<c>JsonNamingPolicy.CamelCase</c>): <c>URLValue</c> → <c>urlValue</c>, <c>ID</c> → <c>id</c>.</summary>
    public static string ToCamelCase(string name)
    {
        if (string.IsNullOrEmpty(name) || !char.IsUpper(name[0]))
        {
            return name;
        }

        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (i == 1 && !char.IsUpper(chars[i]))
            {
                break;
            }

            var hasNext = i + 1 < chars.Length;
            if (i > 0 && hasNext && !char.IsUpper(chars[i + 1]))
            {
                if (chars[i + 1] == ' ')
                {
                    chars[i] = char.ToLowerInvariant(chars[i]);
                }

                break;
            }

            chars[i] = char.ToLowerInvariant(chars[i]);
        }

        return new string(chars);
    }

    /// <summary>
    /// The default manifest slug of an assembly: kebab-case, lower-case letters and digits only
    /// (<c>Accounts.Service</c> → <c>accounts-service</c>, <c>ShopJot.Orders</c> → <c>shop-jot-orders</c>).
    /// </summary>
    public static string ToKebabCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsLetterOrDigit(c) && c < 128)
            {
                var boundary = char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1])
                    || (i + 1 < name.Length && char.IsUpper(name[i - 1]) && char.IsLower(name[i + 1])));
                if (boundary)
                {
                    AppendDash(builder);
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                AppendDash(builder);
            }
        }

        var slug = builder.ToString().Trim('-');
        return slug.Length == 0 ? "default" : slug;

        static void AppendDash(StringBuilder builder)
        {
            if (builder.Length > 0 && builder[builder.Length - 1] != '-')
            {
                builder.Append('-');
            }
        }
    }
}
