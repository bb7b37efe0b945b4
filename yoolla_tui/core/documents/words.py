"""Amounts as a Russian invoice writes them: «15 000,00» and «Пятнадцать тысяч рублей 00 копеек»."""

from __future__ import annotations


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """The Russian form for a count: 1 рубль, 2 рубля, 5 рублей, 11 рублей, 21 рубль."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def amount_in_words(cents: int) -> str:
    """15000_00 -> «Пятнадцать тысяч рублей 00 копеек» (roubles in words, kopecks in digits)."""
    from num2words import num2words

    rubles, kopecks = divmod(int(cents), 100)
    words = num2words(rubles, lang="ru")
    return (f"{words[:1].upper()}{words[1:]} {plural_ru(rubles, 'рубль', 'рубля', 'рублей')} "
            f"{kopecks:02d} {plural_ru(kopecks, 'копейка', 'копейки', 'копеек')}")


def rubles(cents: int | None) -> str:
    """15000_00 -> '15 000,00' (a no-break space between thousands, a comma before kopecks)."""
    if cents is None:
        return ""
    rubles_, kopecks = divmod(int(cents), 100)
    return f"{rubles_:,}".replace(",", "\u00a0") + f",{kopecks:02d}"
