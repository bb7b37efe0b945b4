"""Documents: the commercial proposal (КП), the invoice for payment (счёт на оплату), the contract
(договор) and the specification (спецификация) made for a deal from .docx templates and mailed to
the client (service: make_document, send_document, list_documents); the seller's requisites
(company), the SMTP settings and sending (mail), filling a template (render) and the amount in
Russian words (words).

May import: kernel, people, funnel, work, calls. Nothing imports documents but the faces,
reports and maintenance; the funnel's document gate reads kernel.models.Document itself.
"""

from yoolla_tui.core.documents.service import list_documents, make_document, send_document

__all__ = ["make_document", "send_document", "list_documents"]
