"""Bare occupation head-words of job ads, coded to ISCO-08 by hand.

The ILO and ESCO indexes name occupations precisely ("électricien du bâtiment",
"software developer") but often lack the bare, generic word that ads use on its
own ("Électricien", "Développeur", "Commercial", "Infirmier", "Magasinier"), or
give it to an unexpected group (ESCO puts "aide-soignant" under 2635 as well as
5321). This list fills those gaps. It was written by the project's assistant from
the ISCO-08 unit-group definitions, before the evaluation set was drawn up, and
contains general head-words only: no title of the evaluation set is copied here
(a unit test checks that). Each entry weighs more than an index label, so it
settles ties between index entries that share the same cleaned form.
"""

from __future__ import annotations

# (title, ISCO-08 unit group). Titles are written as people write them; the
# classifier cleans them with the same rules as everything else.
SUPPLEMENT: tuple[tuple[str, str], ...] = (
    # managers
    ("directeur général", "1120"), ("managing director", "1120"),
    ("directeur administratif et financier", "1211"), ("finance director", "1211"),
    ("responsable administratif et financier", "1211"),
    ("directeur des ressources humaines", "1212"), ("responsable ressources humaines", "1212"),
    ("human resources manager", "1212"),
    ("directeur commercial", "1221"), ("sales manager", "1221"), ("responsable commercial", "1221"),
    ("directeur marketing", "1221"), ("marketing manager", "1221"),
    ("directeur de production", "1321"), ("production manager", "1321"),
    ("responsable logistique", "1324"), ("logistics manager", "1324"),
    ("chef de projet informatique", "1330"), ("it manager", "1330"),
    ("directeur d'école", "1345"), ("gérant de restaurant", "1412"), ("gérant de magasin", "1420"),
    ("gérant", "1420"), ("store manager", "1420"), ("directeur d'hôtel", "1411"),
    # professionals
    ("ingénieur génie civil", "2142"), ("civil engineer", "2142"),
    ("ingénieur électricien", "2151"), ("ingénieur mécanique", "2144"),
    ("ingénieur agronome", "2132"), ("agronome", "2132"),
    ("médecin", "2211"), ("médecin généraliste", "2211"), ("doctor", "2211"),
    ("infirmier", "2221"), ("infirmier diplômé d'état", "2221"), ("nurse", "2221"),
    ("sage-femme", "2222"), ("midwife", "2222"), ("pharmacien", "2262"), ("pharmacist", "2262"),
    ("enseignant", "2330"), ("professeur", "2330"), ("teacher", "2330"),
    ("instituteur", "2341"), ("primary school teacher", "2341"),
    ("formateur", "2424"), ("trainer", "2424"),
    ("comptable", "2411"), ("accountant", "2411"), ("auditeur", "2411"), ("auditor", "2411"),
    ("contrôleur de gestion", "2411"), ("analyste financier", "2413"),
    ("chargé de recrutement", "2423"), ("recruteur", "2423"), ("recruiter", "2423"),
    ("responsable formation", "2424"),
    ("chargé de marketing", "2431"), ("marketing officer", "2431"),
    ("chargé de communication", "2432"), ("community manager", "2432"),
    ("développeur", "2512"), ("developer", "2512"), ("programmeur", "2512"),
    ("programmer", "2512"), ("ingénieur logiciel", "2512"), ("software engineer", "2512"),
    ("développeur web", "2513"), ("développeur mobile", "2514"),
    ("administrateur réseau", "2522"), ("administrateur système", "2522"),
    ("network administrator", "2522"), ("system administrator", "2522"),
    ("juriste", "2619"), ("avocat", "2611"), ("lawyer", "2611"),
    ("journaliste", "2642"), ("traducteur", "2643"), ("interprète", "2643"),
    ("économiste", "2631"), ("sociologue", "2632"), ("travailleur social", "2635"),
    # technicians and associate professionals
    ("technicien génie civil", "3112"), ("dessinateur projeteur", "3118"),
    ("conducteur de travaux", "3123"), ("chef de chantier", "3123"),
    ("site supervisor", "3123"), ("technicien électricien", "3113"),
    ("technicien électromécanicien", "3113"), ("technicien mécanique", "3115"),
    ("technicien de laboratoire", "3212"), ("laborantin", "3212"),
    ("technicien agricole", "3142"), ("technicien informatique", "3512"),
    ("technicien réseau", "3513"), ("technicien support", "3512"),
    ("helpdesk technician", "3512"), ("it support", "3512"),
    ("délégué médical", "2433"), ("commercial", "3322"), ("agent commercial", "3322"),
    ("représentant commercial", "3322"), ("sales representative", "3322"),
    ("technico-commercial", "3322"), ("acheteur", "3323"), ("buyer", "3323"),
    ("assistant de direction", "3343"), ("assistante de direction", "3343"),
    ("executive assistant", "3343"), ("secrétaire médicale", "3344"),
    ("agent immobilier", "3334"), ("transitaire", "3331"), ("déclarant en douane", "3331"),
    ("aide comptable", "4311"), ("assistant comptable", "3313"),
    ("chef cuisinier", "3434"),
    # clerical support
    ("secrétaire", "4120"), ("secretary", "4120"),
    ("assistant administratif", "4110"), ("administrative assistant", "4110"),
    ("employé de bureau", "4110"), ("office clerk", "4110"),
    ("opérateur de saisie", "4132"), ("agent de saisie", "4132"), ("data entry clerk", "4132"),
    ("guichetier", "4211"), ("caissier de banque", "4211"), ("bank teller", "4211"),
    ("réceptionniste", "4226"), ("receptionist", "4226"), ("hôtesse d'accueil", "4226"),
    ("standardiste", "4223"), ("téléconseiller", "4222"), ("call center agent", "4222"),
    ("conseiller clientèle", "4222"), ("customer service agent", "4222"),
    ("magasinier", "4321"), ("gestionnaire de stock", "4321"), ("storekeeper", "4321"),
    ("agent de transit", "3331"), ("logisticien", "4323"), ("agent logistique", "4323"),
    ("archiviste", "4415"), ("documentaliste", "4415"),
    ("gestionnaire de paie", "4313"), ("payroll clerk", "4313"),
    # service and sales
    ("cuisinier", "5120"), ("cook", "5120"), ("serveur", "5131"), ("waiter", "5131"),
    ("barman", "5132"), ("coiffeur", "5141"), ("esthéticienne", "5142"),
    ("gouvernante", "5151"), ("vendeur", "5223"), ("shop assistant", "5223"),
    ("caissier", "5230"), ("cashier", "5230"), ("télévendeur", "5244"),
    ("baby-sitter", "5311"), ("nounou", "5311"), ("aide-soignant", "5321"),
    ("auxiliaire de vie", "5322"), ("care assistant", "5322"),
    ("agent de sécurité", "5414"), ("vigile", "5414"), ("gardien", "5414"),
    ("security guard", "5414"), ("agent de gardiennage", "5414"),
    # agriculture
    ("ouvrier agricole", "9211"), ("agriculteur", "6111"), ("éleveur", "6121"),
    ("aviculteur", "6122"), ("pisciculteur", "6221"), ("pêcheur", "6222"),
    ("jardinier", "6113"),
    # crafts and trades
    ("maçon", "7112"), ("mason", "7112"), ("ferrailleur", "7114"), ("coffreur", "7114"),
    ("menuisier", "7115"), ("charpentier", "7115"), ("carpenter", "7115"),
    ("carreleur", "7122"), ("plâtrier", "7123"), ("plombier", "7126"), ("plumber", "7126"),
    ("frigoriste", "7127"), ("climaticien", "7127"), ("peintre en bâtiment", "7131"),
    ("peintre", "7131"), ("soudeur", "7212"), ("welder", "7212"), ("chaudronnier", "7213"),
    ("mécanicien", "7231"), ("mécanicien automobile", "7231"), ("mechanic", "7231"),
    ("mécanicien engins", "7233"), ("technicien de maintenance industrielle", "7233"),
    ("électricien", "7411"), ("electrician", "7411"), ("électricien industriel", "7412"),
    ("électricien bâtiment", "7411"), ("électromécanicien", "7412"),
    ("boulanger", "7512"), ("pâtissier", "7512"), ("boucher", "7511"),
    ("couturier", "7531"), ("tailleur", "7531"), ("tailor", "7531"),
    ("imprimeur", "7322"), ("bijoutier", "7313"),
    # operators and drivers
    ("opérateur de production", "8189"), ("machine operator", "8189"),
    ("conducteur d'engins", "8342"), ("chauffeur", "8322"), ("driver", "8322"),
    ("chauffeur poids lourd", "8332"), ("truck driver", "8332"),
    ("chauffeur de bus", "8331"), ("chauffeur de taxi", "8322"),
    ("chauffeur livreur", "8322"), ("conducteur de car", "8331"), ("cariste", "8344"),
    ("forklift driver", "8344"), ("grutier", "8343"), ("moto-taxi", "8321"),
    # elementary
    ("agent d'entretien", "9112"), ("femme de ménage", "9111"), ("cleaner", "9112"),
    ("agent de nettoyage", "9112"), ("manœuvre", "9313"), ("labourer", "9313"),
    ("manutentionnaire", "9333"), ("docker", "9333"), ("coursier", "9621"),
    ("livreur", "9621"), ("delivery driver", "8322"), ("plongeur", "9412"),
    ("aide cuisinier", "9412"), ("porteur", "9621"), ("jardinier paysagiste", "6113"),
)
